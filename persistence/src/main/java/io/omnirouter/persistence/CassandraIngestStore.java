package io.omnirouter.persistence;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnirouter.core.ingest.IngestEntry;
import io.omnirouter.core.ingest.IngestStore;
import io.omnirouter.core.model.Text;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The ingest log in Cassandra, with the journal's write consistency. A row holds one batch (its
 * entries as CBOR); rows are partitioned by log partition and buckets of {@value #BUCKET} sequence
 * numbers, so the rows a partition has fed are dropped a whole Cassandra partition at a time (one
 * tombstone, not one per row).
 */
public final class CassandraIngestStore implements IngestStore {
  static final long BUCKET = 1000;
  private static final String PROFILE = "pekko-persistence-cassandra-profile";
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(CassandraIngestStore.class);

  private final CassandraSession session;
  private final com.typesafe.config.Config cassandra;
  private final String ks;
  private final ObjectMapper cbor;
  private final CompletionStage<Statements> statements;

  private record Statements(
      PreparedStatement insert,
      PreparedStatement select,
      PreparedStatement watermark,
      PreparedStatement saveWatermark,
      PreparedStatement dropBucket,
      PreparedStatement deadLetter,
      PreparedStatement deadLetters,
      PreparedStatement forget,
      PreparedStatement claim,
      PreparedStatement partitions) {}

  record Batch(List<IngestEntry> entries) {}

  private CassandraIngestStore(ActorSystem<?> system, CassandraSession session) {
    this.session = session;
    this.cassandra = system.settings().config().getConfig("omnirouter.cassandra");
    this.ks = cassandra.getString("keyspace");
    this.cbor =
        JacksonObjectMapperProvider.get(system.classicSystem())
            .getOrCreate("jackson-cbor", Optional.empty());
    // schema changes time out while Cassandra is busy or still starting: retry; until then the
    // partitions' recovery fails and is retried too
    this.statements =
        Patterns.retry(
                () ->
                    prepare()
                        .whenComplete(
                            (s, error) -> {
                              if (error != null) {
                                log.warn(
                                    "Ingest log tables not ready, retrying: {}", error.toString());
                              }
                            }),
                Integer.MAX_VALUE,
                Duration.ofSeconds(2),
                system.classicSystem().scheduler(),
                system.executionContext())
            .toCompletableFuture();
  }

  /** The store; creates its keyspace and tables (retrying until Cassandra is up). */
  public static CassandraIngestStore start(ActorSystem<?> system) {
    // not the journal's session: the registry keeps the first session per config path, and the
    // journal's creates its keyspace and tables when it opens — taken first, they never would be
    String path =
        system.settings().config().getString("pekko.projection.cassandra.session-config-path");
    return new CassandraIngestStore(system, CassandraSessionRegistry.get(system).sessionFor(path));
  }

  private CompletionStage<Statements> prepare() {
    String log =
        "CREATE TABLE IF NOT EXISTS %s.ingest_log (partition text, bucket bigint, seq bigint,"
            + " writer text, payload blob, PRIMARY KEY ((partition, bucket), seq, writer))";
    String marks =
        "CREATE TABLE IF NOT EXISTS %s.ingest_watermarks (partition text PRIMARY KEY,"
            + " watermark bigint)";
    String dead =
        "CREATE TABLE IF NOT EXISTS %s.ingest_dead_letters (partition text, at timeuuid,"
            + " seq bigint, order_key text, error text, payload blob,"
            + " PRIMARY KEY ((partition), at))";
    return keyspace()
        .thenCompose(d -> session.executeDDL(log.replace("%s", ks)))
        .thenCompose(d -> session.executeDDL(marks.replace("%s", ks)))
        .thenCompose(d -> session.executeDDL(dead.replace("%s", ks)))
        .thenCompose(
            d -> {
              var insert =
                  prepared(
                      "INSERT INTO %s.ingest_log (partition, bucket, seq, writer, payload)"
                          + " VALUES (?, ?, ?, ?, ?)");
              var select =
                  prepared(
                      "SELECT seq, writer, payload FROM %s.ingest_log"
                          + " WHERE partition = ? AND bucket = ? AND seq > ?");
              var mark = prepared("SELECT watermark FROM %s.ingest_watermarks WHERE partition = ?");
              var save =
                  prepared("UPDATE %s.ingest_watermarks SET watermark = ? WHERE partition = ?");
              var drop = prepared("DELETE FROM %s.ingest_log WHERE partition = ? AND bucket = ?");
              var deadLetter =
                  prepared(
                      "INSERT INTO %s.ingest_dead_letters (partition, at, seq, order_key, error,"
                          + " payload) VALUES (?, now(), ?, ?, ?, ?)");
              var deadLetters =
                  prepared(
                      "SELECT at, seq, error, payload FROM %s.ingest_dead_letters"
                          + " WHERE partition = ? LIMIT ?");
              var forget =
                  prepared("DELETE FROM %s.ingest_dead_letters WHERE partition = ? AND at = ?");
              // written at the oldest timestamp: a watermark any owner saved, before or after,
              // always wins (no lightweight transaction, whose Paxos timestamp could shadow a later
              // save from a node with a slower clock)
              var claim =
                  prepared(
                      "INSERT INTO %s.ingest_watermarks (partition, watermark) VALUES (?, 0)"
                          + " USING TIMESTAMP 0");
              var partitions = prepared("SELECT partition FROM %s.ingest_watermarks");
              return CompletableFuture.allOf(
                      insert,
                      select,
                      mark,
                      save,
                      drop,
                      deadLetter,
                      deadLetters,
                      forget,
                      claim,
                      partitions)
                  .thenApply(
                      x ->
                          new Statements(
                              insert.getNow(null),
                              select.getNow(null),
                              mark.getNow(null),
                              save.getNow(null),
                              drop.getNow(null),
                              deadLetter.getNow(null),
                              deadLetters.getNow(null),
                              forget.getNow(null),
                              claim.getNow(null),
                              partitions.getNow(null)));
            });
  }

  /**
   * The keyspace as the journal would create it (webhooks may reach the ingest log before anything
   * reaches the journal); nothing when schema-autocreate is off.
   */
  private CompletionStage<Done> keyspace() {
    if (!cassandra.getBoolean("schema-autocreate")) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    String replication =
        "NetworkTopologyStrategy".equals(cassandra.getString("replication-strategy"))
            ? "'class': 'NetworkTopologyStrategy', "
                + cassandra.getStringList("data-center-replication-factors").stream()
                    .map(
                        dc -> {
                          String[] parts = dc.split(":");
                          return "'" + parts[0].trim() + "': " + parts[1].trim();
                        })
                    .collect(java.util.stream.Collectors.joining(", "))
            : "'class': 'SimpleStrategy', 'replication_factor': "
                + cassandra.getInt("replication-factor");
    return session.executeDDL(
        "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = {" + replication + "}");
  }

  private CompletableFuture<PreparedStatement> prepared(String cql) {
    return session.prepare(cql.replace("%s", ks)).toCompletableFuture();
  }

  @Override
  public CompletionStage<Recovered> recover(String partition) {
    return statements.thenCompose(
        s ->
            session
                .selectOne(s.watermark().bind(partition).setExecutionProfileName(PROFILE))
                .thenCompose(
                    row -> {
                      if (row.isEmpty()) {
                        // first use: recorded, so that it is found should the count be lowered
                        return session
                            .executeWrite(
                                s.claim().bind(partition).setExecutionProfileName(PROFILE))
                            .thenCompose(done -> recover(partition));
                      }
                      long mark = row.get().getLong("watermark");
                      return readFrom(s, partition, mark, bucket(mark + 1), new ArrayList<>())
                          .thenApply(rows -> new Recovered(mark, rows));
                    }));
  }

  @Override
  public CompletionStage<List<String>> partitions() {
    return statements.thenCompose(
        s ->
            session
                .selectAll(s.partitions().bind().setExecutionProfileName(PROFILE))
                .thenApply(rows -> rows.stream().map(r -> r.getString("partition")).toList()));
  }

  // rows of one writer are contiguous and a new owner continues after the highest: the first empty
  // bucket is the end of the log
  private CompletionStage<List<Row>> readFrom(
      Statements s, String partition, long mark, long bucket, List<Row> into) {
    return session
        .selectAll(s.select().bind(partition, bucket, mark).setExecutionProfileName(PROFILE))
        .thenCompose(
            rows -> {
              if (rows.isEmpty()) {
                return CompletableFuture.completedFuture(into);
              }
              for (com.datastax.oss.driver.api.core.cql.Row r : rows) {
                decode(
                        partition,
                        "row " + r.getLong("seq") + " of writer " + r.getString("writer"),
                        r.getByteBuffer("payload"))
                    .ifPresent(
                        entries ->
                            into.add(new Row(r.getLong("seq"), r.getString("writer"), entries)));
              }
              return readFrom(s, partition, mark, bucket + 1, into);
            });
  }

  @Override
  public CompletionStage<Done> append(String partition, Row row) {
    return write(
        row.entries(),
        (s, bytes) ->
            s.insert().bind(partition, bucket(row.seq()), row.seq(), row.writer(), bytes));
  }

  /** The entry as a one-entry batch: read back like a row of the log. */
  @Override
  public CompletionStage<Done> deadLetter(
      String partition, long seq, IngestEntry entry, String error) {
    return write(
        List.of(entry),
        (s, bytes) ->
            s.deadLetter()
                .bind(
                    partition,
                    seq,
                    Text.wellFormed(entry.orderKey()),
                    Text.wellFormed(error),
                    bytes));
  }

  @Override
  public CompletionStage<List<DeadLetter>> deadLetters(String partition, int limit) {
    return statements.thenCompose(
        s ->
            session
                .selectAll(s.deadLetters().bind(partition, limit).setExecutionProfileName(PROFILE))
                .thenApply(
                    rows -> {
                      List<DeadLetter> letters = new ArrayList<>();
                      for (com.datastax.oss.driver.api.core.cql.Row r : rows) {
                        java.util.UUID at = r.getUuid("at");
                        decode(partition, "dead letter " + at, r.getByteBuffer("payload"))
                            .filter(entries -> entries.size() == 1)
                            .ifPresent(
                                entries ->
                                    letters.add(
                                        new DeadLetter(
                                            partition,
                                            at,
                                            java.time.Instant.ofEpochMilli(
                                                com.datastax.oss.driver.api.core.uuid.Uuids
                                                    .unixTimestamp(at)),
                                            r.getLong("seq"),
                                            r.getString("error"),
                                            entries.get(0))));
                      }
                      return letters;
                    }));
  }

  @Override
  public CompletionStage<Done> forget(String partition, java.util.UUID id) {
    return statements.thenCompose(
        s -> session.executeWrite(s.forget().bind(partition, id).setExecutionProfileName(PROFILE)));
  }

  /** Writes {@code entries} as CBOR with the statement {@code bind} makes of them. */
  private CompletionStage<Done> write(
      List<IngestEntry> entries,
      java.util.function.BiFunction<Statements, ByteBuffer, BoundStatement> bind) {
    ByteBuffer bytes;
    try {
      bytes = ByteBuffer.wrap(cbor.writeValueAsBytes(new Batch(entries)));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return statements.thenCompose(
        s -> session.executeWrite(bind.apply(s, bytes).setExecutionProfileName(PROFILE)));
  }

  @Override
  public CompletionStage<Done> advance(String partition, long previous, long watermark) {
    return statements.thenCompose(
        s -> {
          CompletionStage<Done> done =
              session.executeWrite(
                  s.saveWatermark().bind(watermark, partition).setExecutionProfileName(PROFILE));
          // buckets wholly at or below the watermark: nothing in them is needed again
          for (long b = bucket(previous + 1); b < bucket(watermark + 1); b++) {
            long drop = b;
            done =
                done.thenCompose(
                    d ->
                        session.executeWrite(
                            s.dropBucket().bind(partition, drop).setExecutionProfileName(PROFILE)));
          }
          return done;
        });
  }

  /**
   * A row this build cannot read (written by an incompatible version) is logged and skipped: it
   * must not stop every other customer of its partition for ever. It stays until its bucket is
   * dropped.
   */
  private Optional<List<IngestEntry>> decode(String partition, String what, ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    try {
      return Optional.of(cbor.readValue(bytes, Batch.class).entries());
    } catch (IOException e) {
      log.error(
          "Ingest partition {}: {} is unreadable and skipped: {}", partition, what, e.toString());
      return Optional.empty();
    }
  }

  static long bucket(long seq) {
    return seq / BUCKET;
  }
}

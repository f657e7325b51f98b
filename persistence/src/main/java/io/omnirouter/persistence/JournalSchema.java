package io.omnirouter.persistence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Creates the journal's and snapshot store's keyspace and tables, retrying until they exist. The
 * plugin creates them once when it starts and gives up on the first error: three nodes starting
 * together on a fresh Cassandra made its schema changes time out (2 s), and the cluster stayed
 * without a {@code snapshots} and a {@code tag_views} table, not ready, until restarted. Only when
 * {@code omnirouter.cassandra.schema-autocreate} is on (development; production creates the schema
 * by hand, docs/DEPLOY.md).
 */
public final class JournalSchema {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(JournalSchema.class);

  private JournalSchema() {}

  /** Completes once every statement has run; retried every 2 s until then. */
  public static CompletionStage<Done> ensure(ActorSystem<?> system) {
    var config = system.settings().config();
    if (!config.getBoolean("omnirouter.cassandra.schema-autocreate")) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    var statements =
        new KeyspaceAndTableStatements(
            system, "pekko.persistence.cassandra", PluginSettings.apply(system.classicSystem()));
    List<String> all = new ArrayList<>();
    all.add(statements.createJournalKeyspaceStatement());
    all.addAll(statements.getCreateJournalTablesStatements());
    all.add(statements.createSnapshotKeyspaceStatement());
    all.addAll(statements.getCreateSnapshotTablesStatements());
    // the ingest store's session (see CassandraIngestStore.start for why not the journal's)
    CassandraSession session =
        CassandraSessionRegistry.get(system)
            .sessionFor(config.getString("pekko.projection.cassandra.session-config-path"));
    return Patterns.retry(
        () ->
            runInOrder(session, all)
                .whenComplete(
                    (done, error) -> {
                      if (error != null) {
                        log.warn("Journal tables not created yet, retrying: {}", error.toString());
                      }
                    }),
        Integer.MAX_VALUE,
        Duration.ofSeconds(2),
        system.classicSystem().scheduler(),
        system.executionContext());
  }

  private static CompletionStage<Done> runInOrder(CassandraSession session, List<String> cql) {
    CompletionStage<Done> done = CompletableFuture.completedFuture(Done.getInstance());
    for (String statement : cql) {
      done = done.thenCompose(d -> session.executeDDL(statement));
    }
    return done;
  }
}

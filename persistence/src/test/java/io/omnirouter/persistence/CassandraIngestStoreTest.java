package io.omnirouter.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.ingest.IngestEntry;
import io.omnirouter.core.ingest.IngestStore;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.MessageContent;
import io.omnirouter.core.model.ProviderError;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ingest log's rows on the real Cassandra: written whole, read back in order, dropped once fed.
 */
class CassandraIngestStoreTest {
  static ActorTestKit kit;
  static CassandraIngestStore store;

  @BeforeAll
  static void start() throws Exception {
    kit = ActorTestKit.create("ingest-store", TestCassandra.config(""));
    // creates the keyspace and its tables itself, as on a fresh install
    store = CassandraIngestStore.start(kit.system());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession session() {
    return TestCassandra.session(kit.system());
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static final Instant AT = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  static IngestEntry message(String id) {
    return IngestEntry.of(
        "acme",
        Channel.LINE,
        "line-1",
        new Inbound.Message(
            new InboundMessage(
                Channel.LINE,
                "line-1",
                id,
                "U4af4980629",
                "こんにちは 👋",
                AT,
                MessageContent.text("こんにちは 👋"),
                "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"),
            List.of("phone:+4915901234567"),
            "Kim"));
  }

  @Test
  void everyKindOfEntryComesBackAsWrittenInSequenceOrderAcrossBuckets() throws Exception {
    String p = "t-" + UUID.randomUUID();
    IngestEntry status =
        IngestEntry.of(
            "acme",
            Channel.WHATSAPP,
            "wa-1",
            new Inbound.Status(
                "wamid.1",
                "4915901234567",
                Inbound.DeliveryStatus.FAILED,
                AT,
                new ProviderError(
                    "131047", "Re-engagement message", ProviderError.Outcome.WINDOW_CLOSED)));
    IngestEntry event =
        IngestEntry.of(
            "acme",
            Channel.SMS,
            "tw-1",
            new Inbound.Event("opt-out", "+4915901234567", "STOP", null, AT));
    await(store.append(p, new IngestStore.Row(1, "w1", List.of(message("m1"), status, event))));
    await(store.append(p, new IngestStore.Row(999, "w1", List.of(message("m2")))));
    await(store.append(p, new IngestStore.Row(1000, "w1", List.of(message("m3")))));
    // a second owner during a split brain writes the same number: both rows are kept
    await(store.append(p, new IngestStore.Row(1000, "w2", List.of(message("m4")))));

    IngestStore.Recovered all = await(store.recover(p));
    assertEquals(0, all.watermark());
    assertEquals(
        List.of(1L, 999L, 1000L, 1000L), all.rows().stream().map(IngestStore.Row::seq).toList());
    assertEquals(List.of(message("m1"), status, event), all.rows().get(0).entries());
    assertEquals(
        List.of("m4", "m3").stream().sorted().toList(),
        all.rows().subList(2, 4).stream()
            .map(r -> r.entries().get(0).message().message().providerMessageId())
            .sorted()
            .toList());

    await(store.advance(p, 0, 999));
    IngestStore.Recovered rest = await(store.recover(p));
    assertEquals(999, rest.watermark());
    assertEquals(List.of(1000L, 1000L), rest.rows().stream().map(IngestStore.Row::seq).toList());
    assertEquals(
        0,
        await(
                session()
                    .selectAll(
                        "SELECT seq FROM "
                            + TestCassandra.KEYSPACE
                            + ".ingest_log WHERE partition = ? AND bucket = 0",
                        p))
            .size(),
        "the fed bucket is dropped");
  }

  @Test
  void aPartitionIsListedFromItsFirstRecoveryAndItsWatermarkIsKept() throws Exception {
    String p = "t-" + UUID.randomUUID();
    assertEquals(0, await(store.recover(p)).watermark());
    assertTrue(await(store.partitions()).contains(p), "recorded at its first recovery");
    await(store.append(p, new IngestStore.Row(1, "w1", List.of(message("m1")))));
    await(store.advance(p, 0, 1));
    assertEquals(1, await(store.recover(p)).watermark(), "a later recovery keeps the watermark");
    // a claim arriving late (another owner's first recovery) never lowers a saved watermark
    await(
        session()
            .executeWrite(
                "INSERT INTO "
                    + TestCassandra.KEYSPACE
                    + ".ingest_watermarks (partition, watermark) VALUES (?, 0) USING TIMESTAMP 0",
                p));
    assertEquals(1, await(store.recover(p)).watermark());
  }

  @Test
  void aDeadLetterKeepsTheEntryAndWhyItWasRefused() throws Exception {
    String p = "t-" + UUID.randomUUID();
    await(
        store.deadLetter(
            p, 7, message("m9"), "java.lang.IllegalStateException: unknown workspace"));
    var rows =
        await(
            session()
                .selectAll(
                    "SELECT seq, order_key, error, payload FROM "
                        + TestCassandra.KEYSPACE
                        + ".ingest_dead_letters WHERE partition = ?",
                    p));
    assertEquals(1, rows.size());
    var row = rows.get(0);
    assertEquals(7L, row.getLong("seq"));
    assertEquals(message("m9").orderKey(), row.getString("order_key"));
    assertEquals("java.lang.IllegalStateException: unknown workspace", row.getString("error"));
    var buffer = row.getByteBuffer("payload");
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    var cbor =
        org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider.get(
                kit.system().classicSystem())
            .getOrCreate("jackson-cbor", java.util.Optional.empty());
    assertEquals(
        List.of(message("m9")),
        cbor.readValue(bytes, CassandraIngestStore.Batch.class).entries(),
        "readable like a row of the log");
  }

  @Test
  void deadLettersAreListedOldestFirstAndForgottenOnceFedAgain() throws Exception {
    String p = "t-" + UUID.randomUUID();
    await(store.deadLetter(p, 3, message("d1"), "first"));
    await(store.deadLetter(p, 4, message("d2"), "second"));
    var letters = await(store.deadLetters(p, 10));
    assertEquals(
        List.of(message("d1"), message("d2")), letters.stream().map(d -> d.entry()).toList());
    assertEquals(List.of("first", "second"), letters.stream().map(d -> d.error()).toList());
    assertEquals(3L, letters.get(0).seq());
    assertEquals(p, letters.get(0).partition());
    assertEquals(1, await(store.deadLetters(p, 1)).size(), "at most the limit");

    await(store.forget(p, letters.get(0).id()));
    assertEquals(
        List.of(message("d2")),
        await(store.deadLetters(p, 10)).stream().map(d -> d.entry()).toList());
  }
}

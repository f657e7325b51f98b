package io.omnirouter.persistence.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.readside.LiveEvent;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The read side's writes on the real Cassandra. */
class ReadSideStoreTest {
  static ActorTestKit kit;
  static ReadSideStore store;

  @BeforeAll
  static void start() throws Exception {
    kit = ActorTestKit.create("read-side-store", TestCassandra.config(""));
    var session =
        CassandraSessionRegistry.get(kit.system())
            .sessionFor(
                kit.system()
                    .settings()
                    .config()
                    .getString("pekko.projection.cassandra.session-config-path"));
    session
        .executeDDL(
            "CREATE KEYSPACE IF NOT EXISTS "
                + TestCassandra.KEYSPACE
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    store = new ReadSideStore(kit.system(), session, TestCassandra.KEYSPACE);
    store.createTables().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void aLargeGroupOfWritesArrivesWhole() throws Exception {
    String workspace = "ws-" + UUID.randomUUID();
    String conversation = workspace + "~ct-1";
    String text = "客服".repeat(500);
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).plusSeconds(1);
    ReadSideStore.Writes writes = store.writes();
    for (int i = 1; i <= 150; i++) {
      Instant at = t0.plusMillis(i);
      writes.message(
          new ReadSideStore.MessageRow(
              conversation, i, "in", "wechat", "m-" + i, "customer", i + text, null, at, null));
      writes.streamEvent(
          new LiveEvent(
              LiveEvent.id(at, i, conversation),
              workspace,
              conversation,
              i,
              "message",
              Set.of(),
              at,
              "{\"n\":" + i + "}"));
    }
    writes.run().toCompletableFuture().get(60, TimeUnit.SECONDS);

    List<ReadSideStore.MessageRow> rows =
        store.messages(conversation, 0L, null, 500).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(150, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(i + 1, rows.get(i).sequence());
      assertEquals((i + 1) + text, rows.get(i).text());
    }
    List<LiveEvent> events =
        store
            .streamSince(workspace, t0.minusSeconds(1))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertEquals(150, events.size());
    assertEquals(150, events.get(149).sequenceNr());
  }

  @Test
  void anEventThatCanNeverBeWrittenIsDeadLetteredAndTheRestOfItsGroupIsProjected()
      throws Exception {
    String good = "ws-" + UUID.randomUUID() + "~ct-1";
    String name = "test-" + UUID.randomUUID();
    var projection =
        new ConversationProjection(name, store, java.time.Duration.ofHours(1), l -> {});
    Instant now = Instant.now();
    // an entity id without a workspace: no row of it can be written
    var poison =
        org.apache.pekko.projection.eventsourced.EventEnvelope.<Conversation.Event>create(
            org.apache.pekko.persistence.query.Offset.noOffset(),
            "Conversation|",
            1,
            received("bad", now),
            now.toEpochMilli());
    var fine =
        org.apache.pekko.projection.eventsourced.EventEnvelope.<Conversation.Event>create(
            org.apache.pekko.persistence.query.Offset.noOffset(),
            "Conversation|" + good,
            1,
            received("good", now),
            now.toEpochMilli());
    projection.process(List.of(poison, fine)).toCompletableFuture().get(60, TimeUnit.SECONDS);

    var rows = store.messages(good, 0L, null, 10).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(List.of("hello good"), rows.stream().map(ReadSideStore.MessageRow::text).toList());
    var dead = store.deadLetters(name).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(1, dead.size());
    assertEquals("Conversation|", dead.get(0).persistenceId());
    assertEquals("MessageReceived", dead.get(0).eventType());
    // a transient failure is not a reason to skip anything
    assertEquals(
        false,
        ConversationProjection.permanent(
            new java.util.concurrent.CompletionException(
                new com.datastax.oss.driver.api.core.DriverTimeoutException("slow"))));
  }

  private static Conversation.Event received(String id, Instant at) {
    return new Conversation.MessageReceived(
        new InboundMessage(Channel.WHATSAPP, "wa-1", id, "4915100000", "hello " + id, at), 1, at);
  }

  @Test
  void halfAnEmojiIsWrittenAsAReplacementCharacterInsteadOfFailingTheWrite() throws Exception {
    String conversation = "ws-" + UUID.randomUUID() + "~ct-1";
    store
        .putMessage(
            new ReadSideStore.MessageRow(
                conversation,
                1,
                "in",
                "sms",
                "m-1",
                "customer",
                "cut \uD83D",
                null,
                Instant.now(),
                null))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    var rows =
        store.messages(conversation, 0L, null, 10).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals("cut \uFFFD", rows.get(0).text());
  }
}

package io.omnirouter.persistence.readside;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnirouter.core.contact.Contact;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.readside.LiveEvent;
import io.omnirouter.persistence.testkit.TestCassandra;
import io.omnirouter.persistence.testkit.TestConversations;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The read side's writes on the real Cassandra. */
class ReadSideStoreTest {
  private static final java.time.Duration HOUR = java.time.Duration.ofHours(1);
  static ActorTestKit kit;
  static ReadSideStore store;

  @BeforeAll
  static void start() throws Exception {
    kit = ActorTestKit.create("read-side-store", TestCassandra.config(""));
    var session = TestCassandra.session(kit.system());
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
    var projection = new ConversationProjection(name, store, (p, from, to) -> null, HOUR, l -> {});
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

  @Test
  void aSnoozeIsFiledUnderItsEndSoTheWatchCanWakeItsConversation() throws Exception {
    String ws = "ws-" + UUID.randomUUID();
    String id = ws + "~ct-1";
    var projection =
        new ConversationProjection("test-snooze", store, (p, from, to) -> null, HOUR, l -> {});
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    // weeks ahead: the row must outlive the table's default time to live
    Instant until = now.plus(java.time.Duration.ofDays(20));
    var snoozed =
        org.apache.pekko.projection.eventsourced.EventEnvelope.<Conversation.Event>create(
            org.apache.pekko.persistence.query.Offset.noOffset(),
            "Conversation|" + id,
            1,
            new Conversation.Snoozed(until, "a1", now),
            now.toEpochMilli());
    projection.process(List.of(snoozed)).toCompletableFuture().get(60, SECONDS);

    var due =
        store
            .windowWarningsDue(ws, until.minusSeconds(1), until)
            .toCompletableFuture()
            .get(30, SECONDS);
    assertEquals(
        List.of(new ReadSideStore.WindowDeadline(id, ReadSideStore.SNOOZE_ENDS, until, until)),
        due);
    assertEquals(
        List.of(),
        store
            .windowWarningsDue(ws, now, until.minusSeconds(1))
            .toCompletableFuture()
            .get(30, SECONDS));
  }

  @Test
  void eventsItsTagQueryMissedAreReadFromTheJournalBeforeALaterEventOfTheConversation()
      throws Exception {
    // the node-kill drill: a node died between a conversation's event row and its tag row, so the
    // tag query delivered the conversation's later events but never its first
    String id = "ws-" + UUID.randomUUID() + "~ct-1";
    String pid = Conversation.ENTITY_KEY.name() + "|" + id;
    var conversation = kit.spawn(TestConversations.conversation(id, kit));
    TestProbe<Conversation.Ack> acks = kit.createTestProbe();
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    for (int i = 1; i <= 3; i++) {
      conversation.tell(
          new Conversation.ReceiveMessage(
              new InboundMessage(
                  Channel.WHATSAPP, "wa-1", "wamid." + i, "4915100000", "m" + i, t0.plusSeconds(i)),
              acks.getRef()));
      acks.expectMessageClass(Conversation.Stored.class, java.time.Duration.ofSeconds(15));
    }
    MissedEvents<Conversation.Event> journal =
        MissedEvents.fromJournal(kit.system(), Conversation.Event.class);
    var stored = journal.between(pid, 1, Long.MAX_VALUE).toCompletableFuture().get(30, SECONDS);
    var projection = new ConversationProjection("test-gap", store, journal, HOUR, l -> {});

    // only the last event comes with the tag
    projection
        .process(stored.subList(stored.size() - 1, stored.size()))
        .toCompletableFuture()
        .get(60, SECONDS);

    var rows = store.messages(id, 0L, null, 10).toCompletableFuture().get(30, SECONDS);
    assertEquals(
        List.of("m1", "m2", "m3"), rows.stream().map(ReadSideStore.MessageRow::text).toList());
    assertEquals(
        stored.get(stored.size() - 1).sequenceNr(),
        store.digest(id).toCompletableFuture().get(30, SECONDS).orElseThrow().lastSequenceNr());
  }

  @Test
  void aContactWhoseFirstEventWasMissedIsStillFoundBySearch() throws Exception {
    String phone = io.omnirouter.core.contact.IdentityKey.phone("+4915112345678");
    String ws = "ws-" + UUID.randomUUID();
    String pid = "Contact|" + ws + "~ct-7";
    var identity =
        EventEnvelope.<Contact.Event>create(
            Offset.noOffset(), pid, 1, new Contact.IdentityAdded(phone, "Lena"), 1L);
    var update =
        EventEnvelope.<Contact.Event>create(
            Offset.noOffset(), pid, 2, new Contact.Updated("Lena K", Map.of("tier", "gold")), 2L);
    List<long[]> asked = new ArrayList<>();
    var projection =
        new ContactProjection(
            store,
            (p, from, to) -> {
              asked.add(new long[] {from, to});
              return CompletableFuture.completedFuture(List.of(identity));
            });

    projection.process(update).toCompletableFuture().get(30, SECONDS);
    // delivered late (Pekko writes the tag row again when the entity recovers): already folded in
    projection.process(identity).toCompletableFuture().get(30, SECONDS);

    assertEquals(1, asked.size());
    assertEquals(List.of(1L, 1L), List.of(asked.get(0)[0], asked.get(0)[1]));
    var row = store.contact(ws, "ct-7").toCompletableFuture().get(30, SECONDS).orElseThrow();
    assertEquals(List.of(phone), row.identities());
    assertEquals("Lena K", row.name());
    assertEquals(2, row.lastSequenceNr());
    assertEquals(List.of("ct-7"), contactsFound(ws, "+49 151 1234 5678"));
  }

  @Test
  void aConversationAndContactTheReadSideNeverSawAreProjectedFromTheJournalByTheRepair()
      throws Exception {
    // a node killed right after persisting: no tag rows, so no projection ever sees these events
    String ws = "ws-" + UUID.randomUUID();
    String id = ws + "~ct-9";
    var contact =
        kit.spawn(
            Contact.create(
                id,
                new Contact.Ports() {
                  public void absorb(String survivor, String merged, List<String> identities) {}

                  public void repoint(String identityKey, String contactId) {}
                }));
    TestProbe<org.apache.pekko.Done> added = kit.createTestProbe();
    String phone = io.omnirouter.core.contact.IdentityKey.phone("+4915199990000");
    contact.tell(new Contact.AddIdentity(phone, "Ana", added.getRef()));
    added.expectMessageClass(org.apache.pekko.Done.class, java.time.Duration.ofSeconds(15));
    var conversation = kit.spawn(TestConversations.conversation(id, kit));
    TestProbe<Conversation.Ack> acks = kit.createTestProbe();
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long last = 0;
    for (int i = 1; i <= 2; i++) {
      conversation.tell(
          new Conversation.ReceiveMessage(
              new InboundMessage(
                  Channel.WHATSAPP, "wa-1", "wamid.r" + i, phone, "r" + i, t0.plusSeconds(i)),
              acks.getRef()));
      last =
          acks.expectMessageClass(Conversation.Stored.class, java.time.Duration.ofSeconds(15))
              .sequence();
    }
    var repair =
        new ReadSideRepair(
            store,
            MissedEvents.fromJournal(kit.system(), Conversation.Event.class),
            MissedEvents.fromJournal(kit.system(), Contact.Event.class),
            HOUR);

    // the live hub saw message r1 stored (a lower sequence number than the journal has now)
    assertEquals(1, repair.repair(Map.of(id, 1L)).toCompletableFuture().get(60, SECONDS));

    var rows = store.messages(id, 0L, null, 10).toCompletableFuture().get(30, SECONDS);
    assertEquals(List.of("r1", "r2"), rows.stream().map(ReadSideStore.MessageRow::text).toList());
    assertEquals(List.of("ct-9"), contactsFound(ws, "+49 151 9999 0000"));
    // up to date now: nothing to do
    assertEquals(0, repair.repair(Map.of(id, last)).toCompletableFuture().get(60, SECONDS));
  }

  @Test
  void aContactEventThatCanNeverBeWrittenIsDeadLetteredAndTheNextContactIsProjected()
      throws Exception {
    String ws = "ws-" + UUID.randomUUID();
    var projection = new ContactProjection(store, (p, from, to) -> null);
    // an entity id with an empty workspace: no row of it can be written
    String poisonId = "Contact|~ct-" + UUID.randomUUID();
    var poison =
        EventEnvelope.<Contact.Event>create(
            Offset.noOffset(), poisonId, 1, new Contact.IdentityAdded("phone:+1", "x"), 1L);
    String phone = io.omnirouter.core.contact.IdentityKey.phone("+4915155550000");
    var fine =
        EventEnvelope.<Contact.Event>create(
            Offset.noOffset(),
            "Contact|" + ws + "~ct-5",
            1,
            new Contact.IdentityAdded(phone, "Ida"),
            2L);
    projection.process(poison).toCompletableFuture().get(30, SECONDS);
    projection.process(fine).toCompletableFuture().get(30, SECONDS);

    assertEquals(List.of("ct-5"), contactsFound(ws, "+49 151 5555 0000"));
    var dead = store.deadLetters(ContactProjection.NAME).toCompletableFuture().get(30, SECONDS);
    assertEquals(1, dead.stream().filter(d -> d.persistenceId().equals(poisonId)).count());
  }

  private static List<String> contactsFound(String ws, String query) throws Exception {
    return store.searchContacts(ws, query, 10).toCompletableFuture().get(30, SECONDS).stream()
        .map(ReadSideStore.ContactRow::contactId)
        .toList();
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

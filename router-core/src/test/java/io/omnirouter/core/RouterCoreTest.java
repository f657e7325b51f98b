package io.omnirouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.omnirouter.core.agent.Agent;
import io.omnirouter.core.contact.Contact;
import io.omnirouter.core.contact.Identity;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.routing.AgentView;
import io.omnirouter.core.routing.Presence;
import io.omnirouter.core.workspace.Workspaces;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The entities wired through real Cluster Sharding (one node, in-memory journal). */
class RouterCoreTest {
  static final Duration T = Duration.ofSeconds(10);
  static ActorTestKit testKit;
  static RouterCore core;

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                pekko.loglevel = WARNING
                omnirouter.agent.reservation-lease = 5s
                omnirouter.conversation.max-inbound-in-flight = 24
                omnirouter.workspaces.acme {
                  name = Acme
                  teams = [ { id = support, name = Support, strategy = least-loaded },
                            { id = sales, name = Sales, strategy = round-robin } ]
                  agents = [ { id = ann, name = Ann, teams = [support], capacity = 1 },
                             { id = ben, name = Ben, teams = [support, sales], capacity = 2 } ]
                  channels = [ { channel = whatsapp, account = wa-1, default-team = support },
                               { channel = email, account = mail-1, default-team = support } ]
                }
                # a second workspace for the isolation test
                omnirouter.workspaces.other {
                  name = Other
                  teams = [ { id = desk, name = Desk, strategy = manual } ]
                  # the agent-profile test's
                  agents = [ { id = pat, name = Pat, teams = [desk], capacity = 4 } ]
                  channels = [ { channel = whatsapp, account = wa-1, default-team = desk } ]
                }
                # used only by the assignment test, so other tests' conversations do not queue with it
                omnirouter.workspaces.solo {
                  name = Solo
                  teams = [ { id = desk, name = Desk, strategy = least-loaded } ]
                  agents = [ { id = ann, name = Ann, teams = [desk], capacity = 1 } ]
                  channels = [ { channel = whatsapp, account = wa-1, default-team = desk } ]
                }
                """)
            .withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create("RouterCoreTest", config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    core = RouterCore.init(testKit.system(), Workspaces.fromConfig(config));
    core.configureAgents(T).toCompletableFuture().join();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static InboundMessage wa(String from, String id) {
    return new InboundMessage(Channel.WHATSAPP, "wa-1", id, from, "hello", Instant.now());
  }

  static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static final String WS = "solo";

  void presence(String ws, String agent, Presence p) throws Exception {
    await(core.agent(ws, agent).<StatusReply<AgentView>>ask(r -> new Agent.SetPresence(p, r), T));
  }

  Conversation.Summary summary(String contactId) throws Exception {
    return summary("acme", contactId);
  }

  Conversation.Summary summary(String ws, String contactId) throws Exception {
    return await(core.conversation(ws, contactId).ask(Conversation.GetSummary::new, T));
  }

  String contactOf(String identityKey) throws Exception {
    return contactOf("acme", identityKey);
  }

  String contactOf(String ws, String identityKey) throws Exception {
    return await(core.identity(ws, identityKey).<Identity.LookupResult>ask(Identity.Lookup::new, T))
        .contactId();
  }

  /** The persistence id of the conversation a new identity in "acme" links to. */
  static String ownConversationPid(String identityKey) {
    return PersistenceId.of(
            Conversation.ENTITY_KEY.name(),
            EntityIds.of("acme", Identity.newContactId("acme", identityKey)))
        .id();
  }

  /**
   * The journal records every persistence id it is asked about in {@code touched} and fails the
   * operations {@code fail} picks; {@code resetPolicy()} when done.
   */
  static PersistenceTestKit journalRecording(
      Set<String> touched, java.util.function.BiPredicate<String, JournalOperation> fail) {
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    journal.withPolicy(
        new ProcessingPolicy<JournalOperation>() {
          @Override
          public ProcessingResult tryProcess(String persistenceId, JournalOperation op) {
            touched.add(persistenceId);
            return fail.test(persistenceId, op)
                ? new StorageFailure(new IllegalStateException("test: " + op + " fails"))
                : ProcessingSuccess$.MODULE$;
          }
        });
    return journal;
  }

  @Test
  void anAgentProfileIsAskedAgainUntilItsAgentAnswers() throws Exception {
    var pat = core.agent("other", "pat");
    String patPid = PersistenceId.of(Agent.ENTITY_KEY.name(), EntityIds.of("other", "pat")).id();
    // the profile on record is older than the configuration: applying it writes
    await(
        pat.<org.apache.pekko.Done>ask(
            r ->
                new Agent.Configure(
                    new Agent.Profile("Pat", List.of("desk"), 9, List.of(), List.of()), r),
            T));
    // the first write of the new profile fails (the journal is briefly away at the node's start,
    // or the message is dropped in a hand-off): that ask is never answered
    java.util.concurrent.atomic.AtomicInteger writes =
        new java.util.concurrent.atomic.AtomicInteger();
    PersistenceTestKit journal =
        journalRecording(
            java.util.concurrent.ConcurrentHashMap.newKeySet(),
            (pid, op) ->
                pid.equals(patPid) && op instanceof WriteEvents && writes.incrementAndGet() == 1);
    try {
      // asked once only, the profile stays old
      assertThrows(
          Exception.class,
          () -> await(core.configureAgents(Duration.ofMillis(500), 0, Duration.ofMillis(100))));
      assertEquals(9, await(pat.ask(Agent.Get::new, T)).capacity());
      writes.set(0);
      await(core.configureAgents(Duration.ofMillis(500), 3, Duration.ofMillis(100)));
      assertEquals(2, writes.get(), "failed once, then written");
      assertEquals(4, await(pat.ask(Agent.Get::new, T)).capacity());
    } finally {
      journal.resetPolicy();
    }
  }

  @Test
  void aCustomersConversationStartsWhileTheIdentityResolvesNotAfter() throws Exception {
    String phone = "49153" + (10000000 + new java.util.Random().nextInt(89999999));
    String identityKey = IdentityKey.of(Channel.WHATSAPP, "wa-1", phone);
    String identityPid =
        PersistenceId.of(Identity.ENTITY_KEY.name(), EntityIds.of("acme", identityKey)).id();
    String conversationPid = ownConversationPid(identityKey);
    Set<String> touched = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // the identity cannot be written: the message never gets past it, so the conversation is
    // touched only if it was started alongside the identity
    PersistenceTestKit journal =
        journalRecording(
            touched, (pid, op) -> pid.equals(identityPid) && op instanceof WriteEvents);
    try {
      var received =
          core.receive("acme", wa(phone, "wamid.early"), List.of(), null, Duration.ofSeconds(3));
      assertThrows(Exception.class, () -> received.toCompletableFuture().get(15, TimeUnit.SECONDS));
      assertTrue(touched.contains(identityPid));
      assertTrue(touched.contains(conversationPid), "the conversation did not start early");
    } finally {
      journal.resetPolicy();
    }
  }

  @Test
  void aSenderLinkedToAnotherContactStopsStartingItsOwnEmptyConversation() throws Exception {
    String email = "bea." + UUID.randomUUID() + "@example.com";
    await(
        core.receive(
            "acme",
            new InboundMessage(
                Channel.EMAIL,
                "mail-1",
                "<" + UUID.randomUUID() + "@mail>",
                email,
                "hi",
                Instant.now()),
            List.of(),
            "Bea",
            T));
    String visitor = "visitor-" + UUID.randomUUID();
    String visitorKey = IdentityKey.of(Channel.WEBCHAT, "web-1", visitor);
    String ownConversationPid = ownConversationPid(visitorKey);
    Set<String> touched = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // the visitor's own conversation never recovers, so each start of it reaches the journal anew
    PersistenceTestKit journal =
        journalRecording(touched, (pid, op) -> pid.equals(ownConversationPid));
    try {
      // the web-chat visitor typed Bea's address: their messages go to her conversation
      var web =
          new InboundMessage(Channel.WEBCHAT, "web-1", "w-1", visitor, "hello", Instant.now());
      await(core.receive("acme", web, List.of(IdentityKey.email(email)), null, T));
      TestProbe<Object> probe = testKit.createTestProbe();
      probe.awaitAssert(
          T,
          () -> {
            assertTrue(touched.contains(ownConversationPid), "not started early at first");
            return null;
          });
      touched.clear();
      for (int i = 2; i <= 3; i++) {
        var next =
            new InboundMessage(Channel.WEBCHAT, "web-1", "w-" + i, visitor, "more", Instant.now());
        assertInstanceOf(
            Conversation.Stored.class, await(core.receive("acme", next, List.of(), null, T)));
      }
      probe.expectNoMessage(Duration.ofMillis(500));
      assertFalse(
          touched.contains(ownConversationPid),
          "the visitor's own empty conversation was started again");
      assertEquals(4, summary(contactOf(IdentityKey.email(email))).messageCount());
    } finally {
      journal.resetPolicy();
    }
  }

  @Test
  void aMessageIsQueuedThenAssignedWhenAnAgentComesOnlineThenFreedCapacityDrainsTheQueue()
      throws Exception {
    // everyone offline: two customers wait
    presence(WS, "ann", Presence.OFFLINE);
    String phone1 = "49151" + (10000000 + new java.util.Random().nextInt(89999999));
    String phone2 = "49152" + (10000000 + new java.util.Random().nextInt(89999999));
    assertInstanceOf(
        Conversation.Stored.class,
        await(core.receive(WS, wa(phone1, "m-" + UUID.randomUUID()), List.of(), "C1", T)));
    assertInstanceOf(
        Conversation.Stored.class,
        await(core.receive(WS, wa(phone2, "m-" + UUID.randomUUID()), List.of(), "C2", T)));
    String c1 = contactOf(WS, IdentityKey.phone(phone1));
    String c2 = contactOf(WS, IdentityKey.phone(phone2));
    assertEquals(Conversation.Status.QUEUED, summary(WS, c1).status());

    // Ann (capacity 1) comes online: exactly one of them is assigned to her at once
    presence(WS, "ann", Presence.ONLINE);
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        T,
        () -> {
          long assigned =
              java.util.stream.Stream.of(c1, c2)
                  .filter(c -> status(WS, c) == Conversation.Status.ASSIGNED)
                  .count();
          assertEquals(1, assigned);
          return null;
        });
    String first = status(WS, c1) == Conversation.Status.ASSIGNED ? c1 : c2;
    String second = first.equals(c1) ? c2 : c1;
    assertEquals("ann", summary(WS, first).assignee());
    assertEquals(Conversation.Status.QUEUED, summary(WS, second).status(), "Ann is at capacity");
    var why = summary(WS, first).recentAssignments().get(0).reason();
    assertEquals("least-loaded", why.strategy());

    // resolving frees Ann's slot: the waiting one is hers immediately
    await(
        core.conversation(WS, first)
            .<StatusReply<Conversation.Summary>>ask(r -> new Conversation.Resolve("ann", r), T));
    probe.awaitAssert(
        T,
        () -> {
          assertEquals("ann", assignee(WS, second));
          return null;
        });
    AgentView ann = await(core.agent(WS, "ann").ask(Agent.Get::new, T));
    assertEquals(1, ann.load());
    await(
        core.conversation(WS, second)
            .<StatusReply<Conversation.Summary>>ask(r -> new Conversation.Resolve("ann", r), T));
    probe.awaitAssert(
        T,
        () -> {
          assertEquals(0, await(core.agent(WS, "ann").ask(Agent.Get::new, T)).load());
          return null;
        });
  }

  @Test
  void concurrentFirstMessagesFromOneIdentityCreateOneContactAndOneThread() throws Exception {
    String phone = "49160" + (10000000 + new java.util.Random().nextInt(89999999));
    List<CompletableFuture<Conversation.Ack>> acks = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      acks.add(
          core.receive("acme", wa(phone, "burst-" + i), List.of(), null, T).toCompletableFuture());
    }
    Set<Long> sequences = new HashSet<>();
    for (var a : acks) {
      sequences.add(((Conversation.Stored) a.get(10, TimeUnit.SECONDS)).sequence());
    }
    assertEquals(20, sequences.size(), "20 messages, 20 distinct positions in one thread");
    String contact = contactOf(IdentityKey.phone(phone));
    assertEquals(Identity.newContactId("acme", IdentityKey.phone(phone)), contact);
    assertEquals(20, summary(contact).messageCount());
    // WhatsApp and SMS from the same number are the same contact
    var sms = new InboundMessage(Channel.SMS, "sms-1", "SM1", "+" + phone, "hi", Instant.now());
    await(core.receive("acme", sms, List.of(), null, T));
    assertEquals(21, summary(contact).messageCount());
  }

  @Test
  void aFloodIntoOneConversationIsTurnedAwayAtOnceBeyondTheInFlightLimitAndNothingElseIsLost()
      throws Exception {
    String phone = "49170" + (10000000 + new java.util.Random().nextInt(89999999));
    List<CompletableFuture<Conversation.Ack>> acks = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      acks.add(
          core.receive("acme", wa(phone, "flood-" + i), List.of(), null, T).toCompletableFuture());
    }
    int stored = 0;
    int busy = 0;
    for (var a : acks) {
      try {
        assertInstanceOf(Conversation.Stored.class, a.get(10, TimeUnit.SECONDS));
        stored++;
      } catch (java.util.concurrent.ExecutionException e) {
        assertInstanceOf(RouterCore.ConversationBusy.class, e.getCause());
        busy++;
      }
    }
    assertTrue(busy > 0 && stored >= 24, stored + " stored, " + busy + " turned away");
    String contact = contactOf(IdentityKey.phone(phone));
    // what was turned away was not stored; what was accepted was, once each
    assertEquals(stored, summary(contact).messageCount());
    // the limit counts messages in flight, not in total: once they are through, more are taken
    for (int i = 0; i < 3; i++) {
      assertInstanceOf(
          Conversation.Stored.class,
          await(core.receive("acme", wa(phone, "after-" + i), List.of(), null, T)));
    }
    assertEquals(stored + 3, summary(contact).messageCount());
  }

  @Test
  void aNewIdentityCarryingAKnownEmailJoinsThatContactAndExplicitMergeForwardsLaterMessages()
      throws Exception {
    String email = "ann." + UUID.randomUUID() + "@example.com";
    var mail =
        new InboundMessage(
            Channel.EMAIL,
            "mail-1",
            "<" + UUID.randomUUID() + "@mail>",
            email,
            "help",
            Instant.now());
    await(core.receive("acme", mail, List.of(), "Ann", T));
    String byMail = contactOf(IdentityKey.email(email));

    // a web-chat visitor who typed the same address lands in the same contact
    var web =
        new InboundMessage(
            Channel.WEBCHAT, "web-1", "w1", "visitor-" + UUID.randomUUID(), "hi", Instant.now());
    await(core.receive("acme", web, List.of(IdentityKey.email(email)), null, T));
    assertEquals(byMail, contactOf(IdentityKey.of(Channel.WEBCHAT, "web-1", web.senderId())));

    // an unrelated phone contact merged into it: its later messages land in the survivor's thread
    String phone = "49170" + (10000000 + new java.util.Random().nextInt(89999999));
    await(core.receive("acme", wa(phone, "p1"), List.of(), null, T));
    String byPhone = contactOf(IdentityKey.phone(phone));
    long before = summary(byMail).messageCount();
    var merged =
        await(
            core.contact("acme", byPhone)
                .<StatusReply<Contact.Summary>>ask(
                    r -> new Contact.MergeInto(byMail, "sup", r), T));
    assertEquals(byMail, merged.getValue().mergedInto());
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        T,
        () -> {
          assertEquals(byMail, contactOf(IdentityKey.phone(phone)));
          return null;
        });
    await(core.receive("acme", wa(phone, "p2"), List.of(), null, T));
    assertEquals(before + 1, summary(byMail).messageCount());
    assertEquals(1, summary(byPhone).messageCount(), "the merged thread keeps its history");
    Contact.Summary survivor = await(core.contact("acme", byMail).ask(Contact.Get::new, T));
    assertTrue(survivor.absorbed().contains(byPhone));
    assertTrue(survivor.identities().contains(IdentityKey.phone(phone)));
  }

  Conversation.Status status(String ws, String contact) {
    try {
      return summary(ws, contact).status();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  String assignee(String ws, String contact) {
    try {
      return summary(ws, contact).assignee();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void unknownAccountFallsBackToTheFirstTeam() throws Exception {
    var msg =
        new InboundMessage(
            Channel.WHATSAPP,
            "wa-unknown",
            "x1",
            "4917711111" + new java.util.Random().nextInt(99),
            "hi",
            Instant.now());
    await(core.receive("acme", msg, List.of(), null, T));
    assertEquals("support", summary(contactOf(IdentityKey.phone(msg.senderId()))).team());
  }

  @Test
  void theSamePersonInTwoWorkspacesIsTwoContactsAndTwoThreads() throws Exception {
    String phone = "49180" + (10000000 + new java.util.Random().nextInt(89999999));
    await(core.receive("acme", wa(phone, "iso-1"), List.of(), null, T));
    await(core.receive("other", wa(phone, "iso-1"), List.of(), null, T));
    String inAcme = contactOf("acme", IdentityKey.phone(phone));
    String inOther = contactOf("other", IdentityKey.phone(phone));
    assertEquals(1, summary("acme", inAcme).messageCount());
    assertEquals(
        1,
        summary("other", inOther).messageCount(),
        "the same provider id in another workspace is another message");
    assertTrue(summary("acme", inAcme).conversationId().startsWith("acme~"));
    assertTrue(summary("other", inOther).conversationId().startsWith("other~"));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> EntityIds.of("a~b", "x"),
        "a workspace id cannot smuggle the separator");
  }
}

package io.omnirouter.core.conversation;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.conversation.Conversation.Status;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.core.readside.ConversationDigest;
import io.omnirouter.core.readside.LiveEvent;
import io.omnirouter.core.readside.LiveEvents;
import io.omnirouter.core.routing.Assignment;
import io.omnirouter.core.routing.QueuedConversation;
import io.omnirouter.core.team.TeamRouter;
import io.omnirouter.core.testing.Calls;
import io.omnirouter.core.testing.TestClock;
import io.omnirouter.core.window.ChannelWindows;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConversationTest {
  static final ActorTestKit testKit = io.omnirouter.core.testing.TestKits.eventSourced();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  final Instant t0 = Instant.parse("2026-11-22T09:00:00Z");
  TestClock clock;
  Calls calls;
  List<QueuedConversation> enqueued;
  List<io.omnirouter.core.model.OutboundRequest> sends = new CopyOnWriteArrayList<>();
  List<LiveEvent> live = new CopyOnWriteArrayList<>();
  String id;
  EventSourcedBehaviorTestKit<Conversation.Command, Conversation.Event, Conversation.State> kit;

  @BeforeEach
  void setUp() {
    clock = new TestClock(t0);
    calls = new Calls();
    enqueued = new CopyOnWriteArrayList<>();
    id = "ws1~contact-" + UUID.randomUUID();
    ports =
        new Conversation.Ports() {
          public void enqueue(String team, QueuedConversation c) {
            enqueued.add(c);
            calls.add("enqueue " + team + " ep" + c.episode());
          }

          public void dequeue(String team, String conv, String reason) {
            calls.add("dequeue " + team);
          }

          public void confirmAgent(String agent, String conv) {
            calls.add("confirm " + agent);
          }

          public void releaseAgent(String agent, String conv) {
            calls.add("release " + agent);
          }

          public void send(io.omnirouter.core.model.OutboundRequest r) {
            sends.add(r);
          }

          public void stored(
              String conv, long seqNr, List<Conversation.Event> events, String before) {
            live.addAll(LiveEvents.of(conv, seqNr, events, before));
          }
        };
    directory = (ws, channel, account) -> account.startsWith("wx") ? "sales" : "support";
    // no confirmation from a team comes in most tests: re-announcing after an hour keeps it out
    kit = kit(Duration.ofHours(1), null);
  }

  Conversation.Ports ports;
  Conversation.Directory directory;

  EventSourcedBehaviorTestKit<Conversation.Command, Conversation.Event, Conversation.State> kit(
      Duration queueConfirmAfter,
      java.util.function.Consumer<ActorRef<Conversation.Command>> passivate) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), behavior(queueConfirmAfter, passivate));
  }

  org.apache.pekko.actor.typed.Behavior<Conversation.Command> behavior(
      Duration queueConfirmAfter,
      java.util.function.Consumer<ActorRef<Conversation.Command>> passivate) {
    return Conversation.create(
        id,
        new Conversation.Settings(100, 5, Duration.ofMinutes(2), queueConfirmAfter),
        directory,
        ports,
        clock,
        passivate);
  }

  InboundMessage wa(String providerId) {
    return new InboundMessage(
        Channel.WHATSAPP, "wa-1", providerId, "+4915112345678", "hi", clock.instant());
  }

  Conversation.Summary summary() {
    return kit.runCommand(Conversation.GetSummary::new).reply();
  }

  Assignment offer(String agent, long episode, String team) {
    return new Assignment(
        id,
        episode,
        agent,
        team,
        new Assignment.Reason(
            "least-loaded", List.of(new Assignment.Candidate(agent, 0, 3)), "lowest load 0"),
        true,
        clock.instant());
  }

  TeamRouter.OfferReply offerTo(String agent, long episode) {
    return kit.<TeamRouter.OfferReply>runCommand(
            r -> new Conversation.Offer(offer(agent, episode, "support"), r))
        .reply();
  }

  @Test
  void itsTeamHearsOfItWhileTheQueuedWriteRunsAndAWriteThatFailsIsDeclinedWhenOffered() {
    var behavior = behavior(Duration.ofHours(1), null);
    TestProbe<Conversation.Ack> acks = testKit.createTestProbe();
    TestProbe<TeamRouter.OfferReply> offers = testKit.createTestProbe();
    kit.persistenceTestKit().failNextPersisted();
    ActorRef<Conversation.Command> first = testKit.spawn(behavior);
    first.tell(new Conversation.ReceiveMessage(wa("wamid.1"), acks.getRef()));
    acks.expectTerminated(first);
    // announced with the write, not after it: the team was told, though nothing was stored
    assertEquals(List.of("enqueue support ep1"), calls.drain());
    acks.expectNoMessage(Duration.ofMillis(100));
    assertTrue(live.isEmpty());

    ActorRef<Conversation.Command> again = testKit.spawn(behavior);
    again.tell(new Conversation.Offer(offer("alice", 1, "support"), offers.getRef()));
    assertInstanceOf(TeamRouter.Declined.class, offers.receiveMessage(), "no such episode");
    // the ingest partition delivers the message again: stored once, announced again, assigned
    again.tell(new Conversation.ReceiveMessage(wa("wamid.1"), acks.getRef()));
    assertInstanceOf(Conversation.Stored.class, acks.receiveMessage());
    again.tell(new Conversation.Offer(offer("alice", 1, "support"), offers.getRef()));
    assertInstanceOf(TeamRouter.Accepted.class, offers.receiveMessage());
    assertEquals(List.of("enqueue support ep1", "confirm alice"), calls.drain());
  }

  @Test
  void aQueuedConversationAnnouncesItselfAgainUntilItsTeamConfirmsItsPlace() {
    kit = kit(Duration.ofMillis(300), null);
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.1"), r));
    assertEquals(List.of("enqueue support ep1"), calls.drain());
    // the Enqueue was lost (a hand-off dropped it, the router's node died before writing it)
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.all().contains("enqueue support ep1"));
    kit.runCommand(new Conversation.QueueConfirmed(1));
    calls.drain();
    await()
        .during(Duration.ofMillis(1000))
        .atMost(Duration.ofSeconds(3))
        .until(() -> calls.all().isEmpty());
    // a confirmation of an older episode does not count for the current one
    kit.<StatusReply<Conversation.Summary>>runCommand(r -> new Conversation.Resolve("alice", r));
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.2"), r));
    calls.drain();
    kit.runCommand(new Conversation.QueueConfirmed(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.all().contains("enqueue support ep2"));
  }

  @Test
  void aQueuedConversationStaysUpUntilConfirmedAndAnnouncesItselfAfterARestart() {
    List<String> passivated = new CopyOnWriteArrayList<>();
    kit = kit(Duration.ofHours(1), ref -> passivated.add("passivate"));
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.1"), r));
    kit.runCommand(Conversation.Idle.INSTANCE);
    assertEquals(List.of(), passivated, "no confirmation yet: it must keep announcing itself");
    kit.runCommand(new Conversation.QueueConfirmed(1));
    kit.runCommand(Conversation.Idle.INSTANCE);
    assertEquals(List.of("passivate"), passivated);
    calls.drain();
    // started again (its node died, or it passivated): its router may never have written it
    kit.restart();
    assertEquals(List.of("enqueue support ep1"), calls.drain());
  }

  @Test
  void theFirstMessageIsStoredAndQueuedInTheAccountsDefaultTeamWithItsWindow() {
    var result =
        kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.1"), r));
    assertEquals(new Conversation.Stored(1), result.reply());
    assertInstanceOf(Conversation.MessageReceived.class, result.events().get(0));
    assertInstanceOf(Conversation.Queued.class, result.events().get(1));
    assertEquals(List.of("enqueue support ep1"), calls.drain());
    assertEquals(t0.plus(Duration.ofHours(24)), enqueued.get(0).windowClosesAt());
    assertEquals(Status.QUEUED, summary().status());
  }

  @Test
  void aMessageWhileQueuedAnnouncesTheConversationAgainWithItsWindowMoved() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.1"), r));
    assertEquals(List.of("enqueue support ep1"), calls.drain());
    clock.advance(Duration.ofHours(3));
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.2"), r));
    // the team router keeps its place in the queue for the same episode, and has it back if its
    // batched write was lost with its node
    assertEquals(List.of("enqueue support ep1"), calls.drain());
    assertEquals(t0.plus(Duration.ofHours(27)), enqueued.get(enqueued.size() - 1).windowClosesAt());
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.2"), r));
    assertEquals(List.of(), calls.drain(), "a redelivery announces nothing");
  }

  @Test
  void aRedeliveryIsAcknowledgedAndChangesNothingAlsoAfterARestart() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.1"), r));
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.2"), r));
    var again =
        kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.1"), r));
    assertEquals(new Conversation.Duplicate("wamid.1"), again.reply());
    assertTrue(again.events().isEmpty());

    kit.restart();
    var afterRestart =
        kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.2"), r));
    assertInstanceOf(Conversation.Duplicate.class, afterRestart.reply());
    assertEquals(2, summary().messageCount());
    // the same id on another channel is another message
    var sms =
        new InboundMessage(
            Channel.SMS, "sms-1", "wamid.1", "+4915112345678", "hi", clock.instant());
    assertEquals(
        new Conversation.Stored(3),
        kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(sms, r)).reply());
  }

  @Test
  void messagesAreNumberedInArrivalOrder() {
    for (int i = 1; i <= 12; i++) {
      String pid = "m" + i;
      assertEquals(
          new Conversation.Stored(i),
          kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa(pid), r))
              .reply());
    }
    kit.restart(); // recovery from snapshot (every 5) plus events keeps the numbering
    assertEquals(
        new Conversation.Stored(13),
        kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("m13"), r))
            .reply());
  }

  @Test
  void acceptsOneAssigneePerEpisodeAndDeclinesStaleOrCompetingOffers() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("wamid.1"), r));
    calls.drain();
    assertInstanceOf(TeamRouter.Accepted.class, offerTo("alice", 1));
    assertEquals(List.of("confirm alice"), calls.drain());
    assertEquals("alice", summary().assignee());

    assertInstanceOf(
        TeamRouter.Accepted.class, offerTo("alice", 1), "a retried offer is idempotent");
    var competing = offerTo("bob", 1);
    assertInstanceOf(TeamRouter.Declined.class, competing);
    assertEquals("alice", summary().assignee());
    assertInstanceOf(TeamRouter.Declined.class, offerTo("bob", 0), "stale episode");

    kit.restart();
    assertEquals("alice", summary().assignee());
    assertEquals("lowest load 0", summary().recentAssignments().get(0).reason().rule());
  }

  @Test
  void resolveReleasesTheAgentAndTheNextCustomerMessageReopensWithThePreviousAgentPreferred() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    offerTo("alice", 1);
    calls.drain();
    StatusReply<Conversation.Summary> resolved =
        kit.<StatusReply<Conversation.Summary>>runCommand(r -> new Conversation.Resolve("alice", r))
            .reply();
    assertEquals(Status.RESOLVED, resolved.getValue().status());
    assertNull(resolved.getValue().assignee());
    assertEquals(List.of("release alice"), calls.drain());

    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("2"), r));
    assertEquals(List.of("enqueue support ep2"), calls.drain());
    QueuedConversation reopened = enqueued.get(enqueued.size() - 1);
    assertEquals("alice", reopened.previousAgent());
    assertEquals(2, summary().episode());
    assertInstanceOf(TeamRouter.Declined.class, offerTo("alice", 1), "the old episode is over");
  }

  @Test
  void transferToAnotherTeamLeavesTheOldQueueAndAnAgentTransferIsOnlyForThatAgent() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    calls.drain();
    kit.<StatusReply<Conversation.Summary>>runCommand(
        r -> new Conversation.Transfer("sales", null, "billing question", "sup", r));
    assertEquals(List.of("dequeue support", "enqueue sales ep2"), calls.drain());

    var toAgent =
        kit.<StatusReply<Conversation.Summary>>runCommand(
                r -> new Conversation.Transfer(null, "chen", "speaks zh", "sup", r))
            .reply();
    assertEquals("sales", toAgent.getValue().team());
    assertEquals("chen", enqueued.get(enqueued.size() - 1).requestedAgent());
    var other =
        kit.<TeamRouter.OfferReply>runCommand(
                r -> new Conversation.Offer(offer("bob", 3, "sales"), r))
            .reply();
    assertInstanceOf(TeamRouter.Declined.class, other);
    var chen =
        kit.<TeamRouter.OfferReply>runCommand(
                r -> new Conversation.Offer(offer("chen", 3, "sales"), r))
            .reply();
    assertInstanceOf(TeamRouter.Accepted.class, chen);
  }

  @Test
  void unassignPutsItBackInTheQueueForANewEpisode() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    offerTo("alice", 1);
    calls.drain();
    var reply =
        kit.<StatusReply<Conversation.Summary>>runCommand(
                r -> new Conversation.Unassign("agent offline", "system", null, r))
            .reply();
    assertEquals(Status.QUEUED, reply.getValue().status());
    assertEquals(List.of("release alice", "enqueue support ep2"), calls.drain());
  }

  @Test
  void freeFormRepliesOnlyInsideTheWindowWithTheReasonAndTimeOutside() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    var inside =
        kit.<Conversation.ReplyResult>runCommand(
            r ->
                new Conversation.SendReply(
                    "out-1", Channel.WHATSAPP, OutboundContent.text("hello"), "alice", r));
    assertEquals(new Conversation.ReplyAccepted("out-1", 2), inside.reply());
    Conversation.ReplyQueued queued = (Conversation.ReplyQueued) inside.events().get(0);
    assertEquals("+4915112345678", queued.recipient());
    assertEquals("wa-1", queued.channelAccount());

    var retried =
        kit.<Conversation.ReplyResult>runCommand(
            r ->
                new Conversation.SendReply(
                    "out-1", Channel.WHATSAPP, OutboundContent.text("hello"), "alice", r));
    assertTrue(retried.events().isEmpty(), "the same message id is not stored twice");

    clock.advance(Duration.ofHours(24).plusMillis(1));
    var outside =
        kit.<Conversation.ReplyResult>runCommand(
            r ->
                new Conversation.SendReply(
                    "out-2", Channel.WHATSAPP, OutboundContent.text("still there?"), "alice", r));
    var refused = assertInstanceOf(Conversation.ReplyRefused.class, outside.reply());
    assertEquals(ChannelWindows.Reason.WINDOW_CLOSED, refused.decision().reason());
    assertEquals(t0.plus(Duration.ofHours(24)), refused.decision().closedAt());
    assertEquals(ChannelWindows.Fallback.TEMPLATE, refused.decision().fallback());
    assertTrue(outside.events().isEmpty());
    assertFalse(summary().freeFormWindows().get(Channel.WHATSAPP).allowed());

    var template =
        kit.<Conversation.ReplyResult>runCommand(
            r ->
                new Conversation.SendReply(
                    "out-3",
                    Channel.WHATSAPP,
                    OutboundContent.template("follow_up", "en", List.of("Ann")),
                    "alice",
                    r));
    assertInstanceOf(Conversation.ReplyAccepted.class, template.reply());
    var otherChannel =
        kit.<Conversation.ReplyResult>runCommand(
            r ->
                new Conversation.SendReply(
                    "out-4", Channel.EMAIL, OutboundContent.text("hi"), "alice", r));
    assertInstanceOf(Conversation.ReplyInvalid.class, otherChannel.reply());
  }

  @Test
  void aWindowThatClosesWhileQueuedIsMarkedOnTheConversation() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    clock.advance(Duration.ofHours(25));
    kit.runCommand(new Conversation.WindowClosedWhileQueued(1, t0.plus(Duration.ofHours(24))));
    assertTrue(summary().windowClosedWhileQueued());
    kit.restart();
    assertTrue(summary().windowClosedWhileQueued());
  }

  @Test
  void snoozeWakesOnItsTimerEvenAfterARestartAndOnACustomerMessage() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    offerTo("alice", 1);
    Instant until = clock.instant().plusMillis(300);
    var snoozed =
        kit.<StatusReply<Conversation.Summary>>runCommand(
                r -> new Conversation.Snooze(until, "alice", r))
            .reply();
    assertEquals(Status.SNOOZED, snoozed.getValue().status());
    kit.restart();
    clock.advance(Duration.ofSeconds(1));
    TestProbe<Conversation.Summary> probe = testKit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(5),
        () -> {
          assertEquals(Status.ASSIGNED, summary().status());
          return null;
        });

    kit.<StatusReply<Conversation.Summary>>runCommand(
        r -> new Conversation.MarkPending("alice", r));
    assertEquals(Status.PENDING, summary().status());
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("2"), r));
    assertEquals(Status.ASSIGNED, summary().status());
    assertEquals("alice", summary().assignee());
  }

  @Test
  void priorityAndTagsAndNotes() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    calls.drain();
    kit.<StatusReply<Conversation.Summary>>runCommand(
        r -> new Conversation.SetPriority(3, "sup", r));
    assertEquals(List.of("enqueue support ep1"), calls.drain(), "re-queued with its new priority");
    assertEquals(3, enqueued.get(enqueued.size() - 1).priority());
    assertTrue(
        kit.<StatusReply<Conversation.Summary>>runCommand(
                r -> new Conversation.SetPriority(9, "sup", r))
            .reply()
            .isError());
    var tags =
        kit.<StatusReply<Conversation.Summary>>runCommand(
                r -> new Conversation.ChangeTags(Set.of("vip", "billing"), Set.of(), r))
            .reply();
    assertEquals(Set.of("vip", "billing"), tags.getValue().tags());
    var note =
        kit.<StatusReply<Long>>runCommand(r -> new Conversation.AddNote("called back", "alice", r));
    assertEquals(2L, note.reply().getValue());
    assertTrue(
        kit.<StatusReply<Long>>runCommand(r -> new Conversation.AddNote(" ", "alice", r))
            .reply()
            .isError());
  }

  @Test
  void actionsThatDoNotFitTheLifecycleAreRejectedWithTheStatus() {
    var resolveNew =
        kit.<StatusReply<Conversation.Summary>>runCommand(r -> new Conversation.Resolve("sup", r))
            .reply();
    assertTrue(resolveNew.isError());
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    var snoozeQueued =
        kit.<StatusReply<Conversation.Summary>>runCommand(
                r -> new Conversation.Snooze(t0.plusSeconds(60), "sup", r))
            .reply();
    assertTrue(snoozeQueued.isError());
    assertTrue(snoozeQueued.getError().getMessage().contains("QUEUED"));
  }

  @Test
  void repliesAreSentAtLeastOnceWithTheSameIdAndResultsAndDeliveriesAreRecorded() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    kit.<Conversation.ReplyResult>runCommand(
        r ->
            new Conversation.SendReply(
                "out-1", Channel.WHATSAPP, OutboundContent.text("hi"), "alice", r));
    assertEquals(1, sends.size());
    assertEquals("out-1", sends.get(0).messageId());
    assertEquals(1, summary().pendingReplies());

    // the node crashes before the provider answered: on recovery the same message goes out again
    kit.restart();
    assertEquals(2, sends.size());
    assertEquals("out-1", sends.get(1).messageId());
    assertEquals(2, sends.get(1).attempt());

    var sent = kit.runCommand(new Conversation.RecordSendResult("out-1", "wamid.OUT1", null));
    assertInstanceOf(Conversation.ReplySent.class, sent.events().get(0));
    assertTrue(
        kit.runCommand(new Conversation.RecordSendResult("out-1", "wamid.OUT1", null))
            .events()
            .isEmpty(),
        "a duplicate result changes nothing");
    assertEquals(0, summary().pendingReplies());
    var delivered =
        kit.runCommand(
            new Conversation.RecordDelivery(
                "wamid.OUT1",
                io.omnirouter.core.model.Inbound.DeliveryStatus.DELIVERED,
                null,
                clock.instant()));
    assertEquals(
        "out-1", ((Conversation.ReplyDeliveryUpdated) delivered.events().get(0)).messageId());
    assertEquals("delivered", summary().replyStates().get("out-1"));
    assertTrue(
        kit.runCommand(
                new Conversation.RecordDelivery(
                    "wamid.UNKNOWN",
                    io.omnirouter.core.model.Inbound.DeliveryStatus.READ,
                    null,
                    clock.instant()))
            .events()
            .isEmpty());

    kit.<Conversation.ReplyResult>runCommand(
        r ->
            new Conversation.SendReply(
                "out-2", Channel.WHATSAPP, OutboundContent.text("x"), "alice", r));
    var error =
        new io.omnirouter.core.model.ProviderError(
            "131047",
            "Re-engagement message",
            io.omnirouter.core.model.ProviderError.Outcome.WINDOW_CLOSED);
    var failed = kit.runCommand(new Conversation.RecordSendResult("out-2", null, error));
    assertEquals(error, ((Conversation.ReplyFailed) failed.events().get(0)).error());
    assertTrue(
        summary().replyStates().get("out-2").startsWith("failed: window_closed (131047"),
        summary().replyStates().toString());
    kit.restart();
    assertEquals(3, sends.size(), "a failed reply is final, not resent");
  }

  @Test
  void everyStoredEventReachesTheLiveHookOnceWithItsJournalNumberAndTheDigestAgreesWithTheEntity() {
    List<Conversation.Event> journal = new java.util.ArrayList<>();
    journal.addAll(
        kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r))
            .events());
    journal.addAll(
        kit.<TeamRouter.OfferReply>runCommand(
                r -> new Conversation.Offer(offer("alice", 1, "support"), r))
            .events());
    journal.addAll(
        kit.<Conversation.ReplyResult>runCommand(
                r ->
                    new Conversation.SendReply(
                        "out-1", Channel.WHATSAPP, OutboundContent.text("hello"), "alice", r))
            .events());
    journal.addAll(
        kit.<StatusReply<Conversation.Summary>>runCommand(
                r -> new Conversation.ChangeTags(Set.of("vip"), Set.of(), r))
            .events());
    journal.addAll(
        kit.<StatusReply<Conversation.Summary>>runCommand(
                r -> new Conversation.Unassign("busy", "sup", null, r))
            .events());
    // a duplicate stores nothing, so the stream hears nothing
    journal.addAll(
        kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r))
            .events());

    assertEquals(journal.size(), live.size());
    for (int i = 0; i < live.size(); i++) {
      assertEquals(i + 1, live.get(i).sequenceNr(), "journal numbers, in order");
      // the projection derives the same event from the journal entry
      String assigneeBefore = null;
      for (int j = 0; j < i; j++) {
        assigneeBefore = ConversationDigest.assigneeAfter(assigneeBefore, journal.get(j));
      }
      assertEquals(LiveEvents.of(id, i + 1, journal.get(i), assigneeBefore), live.get(i));
    }
    assertEquals(
        List.of(
            "message.received",
            "conversation.queued",
            "conversation.assigned",
            "message.sent",
            "conversation.tags",
            "conversation.unassigned",
            "conversation.queued"),
        live.stream().map(LiveEvent::type).toList());
    assertEquals(Set.of("alice"), live.get(2).agents(), "the assignee sees its assignment");
    assertEquals(Set.of("alice"), live.get(5).agents(), "and that it was taken away");
    assertEquals(Set.of(), live.get(6).agents(), "a queued conversation is nobody's yet");

    ConversationDigest digest = ConversationDigest.empty(id);
    for (int i = 0; i < journal.size(); i++) {
      digest = digest.apply(i + 1, journal.get(i)).apply(i + 1, journal.get(i));
    }
    var s = summary();
    assertEquals(s.status().name().toLowerCase(java.util.Locale.ROOT), digest.status());
    assertEquals(s.assignee(), digest.assignee());
    assertEquals(s.team(), digest.team());
    assertEquals(s.tags(), digest.tags());
    assertEquals(s.messageCount(), digest.messageCount());
    assertEquals(Set.of("whatsapp"), digest.channels());
    assertEquals(s.lastInboundAt().get(Channel.WHATSAPP), digest.lastInboundAt().get("whatsapp"));
  }

  @Test
  void aDeliveryStatusThatOvertakesTheSendResultIsAppliedWhenTheResultArrives() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    kit.<Conversation.ReplyResult>runCommand(
        r ->
            new Conversation.SendReply(
                "out-1", Channel.WHATSAPP, OutboundContent.text("hi"), "alice", r));
    // the provider's "delivered" webhook arrives before our sender recorded the provider's answer
    assertTrue(
        kit.runCommand(
                new Conversation.RecordDelivery(
                    "wamid.EARLY",
                    io.omnirouter.core.model.Inbound.DeliveryStatus.DELIVERED,
                    null,
                    clock.instant()))
            .events()
            .isEmpty());
    kit.runCommand(new Conversation.RecordSendResult("out-1", "wamid.EARLY", null));
    String state = null;
    for (int i = 0; i < 50 && !"delivered".equals(state); i++) {
      state = summary().replyStates().get("out-1");
    }
    assertEquals("delivered", state);
  }

  @Test
  void deliveryStatusesNeverMoveAReplyBackwards() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    kit.<Conversation.ReplyResult>runCommand(
        r ->
            new Conversation.SendReply(
                "out-1", Channel.WHATSAPP, OutboundContent.text("hi"), "alice", r));
    // both of the provider's webhooks overtake its answer, and arrive in the wrong order
    kit.runCommand(delivery("wamid.X", io.omnirouter.core.model.Inbound.DeliveryStatus.DELIVERED));
    kit.runCommand(delivery("wamid.X", io.omnirouter.core.model.Inbound.DeliveryStatus.SENT));
    kit.runCommand(new Conversation.RecordSendResult("out-1", "wamid.X", null));
    String state = null;
    for (int i = 0; i < 50 && !"delivered".equals(state); i++) {
      state = summary().replyStates().get("out-1");
    }
    assertEquals("delivered", state);
    // a late "sent" and a repeated "delivered" store nothing; "read" moves it on
    assertTrue(
        kit.runCommand(delivery("wamid.X", io.omnirouter.core.model.Inbound.DeliveryStatus.SENT))
            .events()
            .isEmpty());
    assertTrue(
        kit.runCommand(
                delivery("wamid.X", io.omnirouter.core.model.Inbound.DeliveryStatus.DELIVERED))
            .events()
            .isEmpty());
    kit.runCommand(delivery("wamid.X", io.omnirouter.core.model.Inbound.DeliveryStatus.READ));
    assertEquals("read", summary().replyStates().get("out-1"));
  }

  @Test
  void deliveryRankOrdersStatesByEvidence() {
    assertTrue(Conversation.deliveryRank(null) < Conversation.deliveryRank("queued"));
    assertTrue(Conversation.deliveryRank("queued") < Conversation.deliveryRank("sent"));
    assertTrue(
        Conversation.deliveryRank("sent")
            < Conversation.deliveryRank("failed: undeliverable (131026 x)"));
    assertTrue(
        Conversation.deliveryRank("failed: undeliverable (131026 x)")
            < Conversation.deliveryRank("delivered"));
    assertTrue(Conversation.deliveryRank("delivered") < Conversation.deliveryRank("read"));
  }

  private Conversation.RecordDelivery delivery(
      String providerId, io.omnirouter.core.model.Inbound.DeliveryStatus status) {
    return new Conversation.RecordDelivery(providerId, status, null, clock.instant());
  }

  @Test
  void aLineReplyCarriesTheReplyTokenOnlyWhileItIsFresh() {
    var line =
        new InboundMessage(
            Channel.LINE,
            "line-1",
            "444573844083572737",
            "U4af4980629",
            "hi",
            clock.instant(),
            io.omnirouter.core.model.MessageContent.text("hi"),
            "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA");
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(line, r));
    kit.<Conversation.ReplyResult>runCommand(
        r -> new Conversation.SendReply("l1", Channel.LINE, OutboundContent.text("hello"), "a", r));
    assertEquals("nHuyWiB7yP5Zw52FIkcQobQuGDXCTA", sends.get(sends.size() - 1).replyToken());
    clock.advance(Duration.ofMinutes(1).plusMillis(1));
    kit.<Conversation.ReplyResult>runCommand(
        r -> new Conversation.SendReply("l2", Channel.LINE, OutboundContent.text("later"), "a", r));
    assertNull(sends.get(sends.size() - 1).replyToken(), "after a minute LINE is reached by push");
  }

  @Test
  void smsStopBlocksFreeFormRepliesUntilStart() {
    var sms =
        new InboundMessage(Channel.SMS, "sms-1", "SM1", "+16505551199", "STOP", clock.instant());
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(sms, r));
    kit.runCommand(
        new Conversation.RecordChannelEvent(Channel.SMS, "opt-out", "STOP", clock.instant()));
    var refused =
        kit.<Conversation.ReplyResult>runCommand(
            r -> new Conversation.SendReply("s1", Channel.SMS, OutboundContent.text("hi"), "a", r));
    assertEquals(
        ChannelWindows.Reason.OPTED_OUT,
        assertInstanceOf(Conversation.ReplyRefused.class, refused.reply()).decision().reason());
    kit.restart();
    kit.runCommand(
        new Conversation.RecordChannelEvent(Channel.SMS, "opt-in", "START", clock.instant()));
    var ok =
        kit.<Conversation.ReplyResult>runCommand(
            r ->
                new Conversation.SendReply(
                    "s2", Channel.SMS, OutboundContent.text("welcome back"), "a", r));
    assertInstanceOf(Conversation.ReplyAccepted.class, ok.reply());
  }

  @Test
  void anAgentAskingAboutAnUnconfirmedReservationGetsConfirmOrRelease() {
    kit.<Conversation.Ack>runCommand(r -> new Conversation.ReceiveMessage(wa("1"), r));
    offerTo("alice", 1);
    calls.drain();
    kit.runCommand(new Conversation.VerifyAssignment("alice"));
    kit.runCommand(new Conversation.VerifyAssignment("bob"));
    assertEquals(List.of("confirm alice", "release bob"), calls.drain());
  }
}

package io.omnirouter.core.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.agent.Agent;
import io.omnirouter.core.routing.AgentView;
import io.omnirouter.core.routing.Assignment;
import io.omnirouter.core.routing.Presence;
import io.omnirouter.core.routing.QueuedConversation;
import io.omnirouter.core.routing.Strategy;
import io.omnirouter.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TeamRouterTest {
  static final ActorTestKit testKit = io.omnirouter.core.testing.TestKits.eventSourced();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  record ReserveCall(String agent, String conv, ActorRef<Agent.ReserveReply> replyTo) {}

  record ReleaseCall(String agent, String conv) {}

  record ReportCall(String agent, ActorRef<AgentView> replyTo) {}

  record OfferCall(Assignment assignment, ActorRef<TeamRouter.OfferReply> replyTo) {}

  record WindowCall(String conv, long episode) {}

  record QueuedCall(String conv, long episode) {}

  final Instant t0 = Instant.parse("2026-11-22T09:00:00Z");
  TestClock clock;
  TestProbe<Object> ports;
  TestProbe<QueuedCall> confirmations;
  TeamRouter.Ports p;
  EventSourcedBehaviorTestKit<TeamRouter.Command, TeamRouter.Event, TeamRouter.Queue> kit;
  final List<long[]> steps = new CopyOnWriteArrayList<>();
  String entityId;

  @BeforeEach
  void setUp() {
    clock = new TestClock(t0);
    ports = testKit.createTestProbe();
    confirmations = testKit.createTestProbe();
    ActorRef<Object> out = ports.getRef();
    ActorRef<QueuedCall> confirmed = confirmations.getRef();
    p =
        new TeamRouter.Ports() {
          public void reserve(String agent, String conv, ActorRef<Agent.ReserveReply> r) {
            out.tell(new ReserveCall(agent, conv, r));
          }

          public void release(String agent, String conv) {
            out.tell(new ReleaseCall(agent, conv));
          }

          public void requestReport(String agent, ActorRef<AgentView> r) {
            out.tell(new ReportCall(agent, r));
          }

          public void offer(Assignment a, ActorRef<TeamRouter.OfferReply> r) {
            out.tell(new OfferCall(a, r));
          }

          public void windowClosedWhileQueued(String conv, long episode, Instant at) {
            out.tell(new WindowCall(conv, episode));
          }

          public void queued(String conv, long episode) {
            confirmed.tell(new QueuedCall(conv, episode));
          }

          public void assigned(long reserveNanos, long acceptNanos) {
            steps.add(new long[] {reserveNanos, acceptNanos});
          }
        };
    entityId = "ws1~support-" + UUID.randomUUID();
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            TeamRouter.create(
                entityId,
                new TeamRouter.Settings(
                    Strategy.LEAST_LOADED,
                    List.of("alice", "bob"),
                    Duration.ofSeconds(3),
                    Duration.ZERO,
                    64),
                p,
                clock),
            // the router writes its events after the command that recorded them (a Flush in its
            // mailbox) and changes its queue in place: the kit's copy of the state right after a
            // command would race that write. The state's serialization is covered by the snapshot
            // test (a restart from a snapshot).
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    ports.expectMessageClass(ReportCall.class);
    ports.expectMessageClass(ReportCall.class);
  }

  AgentView agent(String id, Presence p, int capacity, int load) {
    return new AgentView(id, p, capacity, load, Set.of(), Set.of(), null);
  }

  QueuedConversation conv(String id, long episode, int priority) {
    return new QueuedConversation(
        id, episode, priority, null, clock.instant(), null, Set.of(), null, null);
  }

  String persistenceId() {
    return TeamRouter.ENTITY_KEY.name() + "|" + entityId;
  }

  TeamRouter.QueueSummary queue() {
    return kit.<TeamRouter.QueueSummary>runCommand(
            r -> new TeamRouter.GetQueue(Integer.MAX_VALUE, r))
        .reply();
  }

  @Test
  void reservesAtTheAgentThenOffersToTheConversationThenDequeues() {
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    ports.expectNoMessage(Duration.ofMillis(100));
    kit.runCommand(new TeamRouter.AgentChanged(agent("alice", Presence.ONLINE, 2, 0)));

    ReserveCall reserve = ports.expectMessageClass(ReserveCall.class);
    assertEquals("alice", reserve.agent());
    ports.expectNoMessage(Duration.ofMillis(30)); // the agent's write takes a while
    reserve.replyTo().tell(new Agent.Reserved("c1", agent("alice", Presence.ONLINE, 2, 1)));
    OfferCall offer = ports.expectMessageClass(OfferCall.class);
    assertEquals("least-loaded", offer.assignment().reason().strategy());
    ports.expectNoMessage(Duration.ofMillis(40)); // and the conversation's
    assertTrue(steps.isEmpty(), "timed once accepted");
    offer.replyTo().tell(new TeamRouter.Accepted("c1", 1));
    ports.expectNoMessage(Duration.ofMillis(100));
    // the two steps as the router saw them: each at least as long as its answer was held back
    assertEquals(1, steps.size());
    assertTrue(steps.get(0)[0] >= 30_000_000L, "reserve " + steps.get(0)[0]);
    assertTrue(steps.get(0)[1] >= 40_000_000L, "accept " + steps.get(0)[1]);
    assertTrue(queue().queue().isEmpty());
    kit.restart();
    assertTrue(queue().queue().isEmpty(), "the dequeue is durable");
  }

  @Test
  void anAgentThatRefusesIsSkippedAndTheNextOneTried() {
    kit.runCommand(new TeamRouter.AgentChanged(agent("alice", Presence.ONLINE, 2, 0)));
    kit.runCommand(new TeamRouter.AgentChanged(agent("bob", Presence.ONLINE, 2, 1)));
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    ReserveCall first = ports.expectMessageClass(ReserveCall.class);
    assertEquals("alice", first.agent());
    // alice filled up in another team meanwhile
    first
        .replyTo()
        .tell(new Agent.Refused("c1", "at capacity", agent("alice", Presence.ONLINE, 2, 2)));
    ReserveCall second = ports.expectMessageClass(ReserveCall.class);
    assertEquals("bob", second.agent());
  }

  /** Alice online, {@code id} queued and reserved at her: the offer the router then makes. */
  OfferCall offeredToAlice(String id, long episode) {
    kit.runCommand(new TeamRouter.AgentChanged(agent("alice", Presence.ONLINE, 2, 0)));
    kit.runCommand(new TeamRouter.Enqueue(conv(id, episode, 0)));
    ReserveCall reserve = ports.expectMessageClass(ReserveCall.class);
    reserve.replyTo().tell(new Agent.Reserved(id, agent("alice", Presence.ONLINE, 2, 1)));
    return ports.expectMessageClass(OfferCall.class);
  }

  @Test
  void aDeclinedOfferGivesTheSlotBackAndDropsTheStaleEntry() {
    OfferCall offer = offeredToAlice("c1", 1);
    offer.replyTo().tell(new TeamRouter.Declined("c1", 1, "conversation is RESOLVED"));
    assertEquals(new ReleaseCall("alice", "c1"), ports.expectMessageClass(ReleaseCall.class));
    assertTrue(queue().queue().isEmpty());
  }

  @Test
  void theQueueIsReadAPageAtATimeWithItsLengthAndOldestEntry() {
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    Instant oldest = clock.instant();
    clock.advance(Duration.ofSeconds(5));
    kit.runCommand(new TeamRouter.Enqueue(conv("c2", 1, 2)));
    kit.runCommand(new TeamRouter.Enqueue(conv("c3", 1, 0)));

    TeamRouter.QueueSummary page =
        kit.<TeamRouter.QueueSummary>runCommand(r -> new TeamRouter.GetQueue(2, r)).reply();
    assertEquals(
        List.of("c2", "c1"),
        page.queue().stream().map(QueuedConversation::conversationId).toList(),
        "the first two in the order they are handed out");
    assertEquals(3, page.length());
    assertEquals(oldest, page.oldestQueuedAt(), "the longest waiting, not the first in order");
  }

  @Test
  void theQueueListsAPageOfAgentsOnlineAndLeastLoadedFirstAndCountsThemAll() {
    kit.runCommand(new TeamRouter.AgentChanged(agent("dora", Presence.OFFLINE, 3, 0)));
    kit.runCommand(new TeamRouter.AgentChanged(agent("carl", Presence.AWAY, 3, 0)));
    kit.runCommand(new TeamRouter.AgentChanged(agent("bob", Presence.ONLINE, 3, 2)));
    kit.runCommand(new TeamRouter.AgentChanged(agent("alice", Presence.ONLINE, 2, 2)));
    kit.runCommand(new TeamRouter.AgentChanged(agent("abe", Presence.ONLINE, 4, 1)));

    TeamRouter.QueueSummary page =
        kit.<TeamRouter.QueueSummary>runCommand(r -> new TeamRouter.GetQueue(4, r)).reply();
    assertEquals(
        List.of("abe", "alice", "bob", "carl"),
        page.agents().stream().map(AgentView::agentId).toList());
    assertEquals(new TeamRouter.AgentCounts(3, 1, 1, 4), page.agentCounts(), "3 + 0 + 1 free");
  }

  @Test
  void theQueueSurvivesARestartAndIsServedWhenAgentsReportBack() {
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    kit.runCommand(new TeamRouter.Enqueue(conv("c2", 1, 2)));
    // both written (confirmed) before the restart: an entry still unwritten when the router stops
    // is announced again by its conversation, not kept (aConversationIsConfirmed… below)
    assertEquals(
        Set.of(new QueuedCall("c1", 1), new QueuedCall("c2", 1)),
        Set.copyOf(confirmations.receiveSeveralMessages(2, Duration.ofSeconds(3))));
    kit.restart();
    ReportCall r1 = ports.expectMessageClass(ReportCall.class);
    ports.expectMessageClass(ReportCall.class);
    assertEquals(
        List.of("c2", "c1"),
        queue().queue().stream().map(QueuedConversation::conversationId).toList());
    r1.replyTo().tell(agent(r1.agent(), Presence.ONLINE, 1, 0));
    ReserveCall reserve = ports.expectMessageClass(ReserveCall.class);
    assertEquals("c2", reserve.conv(), "higher priority first");
  }

  @Test
  void aLongQueueIsSnapshottedAndRecoveredAndItsStateIsChangedInPlace() {
    for (int i = 0; i < 1150; i++) {
      kit.runCommand(new TeamRouter.Enqueue(conv("c" + i, 1, 0)));
      if (i == 300) {
        kit.runCommand(new TeamRouter.Dequeue("c7", "resolved"));
      }
    }
    TeamRouter.Queue before = kit.getState();
    kit.runCommand(new TeamRouter.Enqueue(conv("c-last", 1, 0)));
    assertTrue(before == kit.getState(), "one queue object, changed in place (no copy per event)");
    assertEquals(1150, kit.getState().queued().size());
    kit.restart(); // from the snapshot taken at event 1000, then the events after it
    assertEquals(1150, queue().queue().size());
    assertFalse(
        queue().queue().stream().anyMatch(q -> q.conversationId().equals("c7")),
        "the dequeue before the snapshot stays applied");
  }

  @Test
  void aRedeliveredEnqueueChangesNothingButANewerEpisodeReplacesTheEntry() {
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 0, 0)));
    queue(); // after the write
    assertEquals(1, kit.persistenceTestKit().persistedInStorage(persistenceId()).size());
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 2, 1)));
    var q = queue().queue();
    assertEquals(1, q.size());
    assertEquals(2, q.get(0).episode());
    assertEquals(2, kit.persistenceTestKit().persistedInStorage(persistenceId()).size());
  }

  @Test
  void aBurstOfChangesIsWrittenInAFewBatchesNotOneWritePerCommand() {
    List<Integer> writes = new CopyOnWriteArrayList<>();
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    journal.withPolicy(
        new ProcessingPolicy<JournalOperation>() {
          @Override
          public ProcessingResult tryProcess(String persistenceId, JournalOperation op) {
            if (op instanceof WriteEvents w) {
              writes.add(w.batch().size());
            }
            return ProcessingSuccess$.MODULE$;
          }
        });
    try {
      ActorRef<TeamRouter.Command> router =
          testKit.spawn(
              TeamRouter.create(
                  "ws1~burst-" + UUID.randomUUID(), settings(64), silentPorts(), clock));
      for (int i = 0; i < 100; i++) {
        router.tell(new TeamRouter.Enqueue(conv("c" + i, 1, 0)));
      }
      TestProbe<TeamRouter.QueueSummary> probe = testKit.createTestProbe();
      router.tell(new TeamRouter.GetQueue(Integer.MAX_VALUE, probe.getRef()));
      assertEquals(100, probe.receiveMessage().queue().size());
      testKit
          .createTestProbe()
          .awaitAssert(
              () -> {
                assertEquals(100, writes.stream().mapToInt(Integer::intValue).sum(), "all written");
                return null;
              });
      // one write per command capped a team at one change per journal round trip
      assertTrue(writes.size() <= 10, "100 changes in " + writes.size() + " writes");
    } finally {
      journal.resetPolicy();
    }
  }

  @Test
  void theStopMessageWritesWhatIsRecordedBeforeTheRouterStops() {
    String id = "ws1~stop-" + UUID.randomUUID();
    var settings = settings(64);
    ActorRef<TeamRouter.Command> router =
        testKit.spawn(TeamRouter.create(id, settings, silentPorts(), clock));
    // the Flush the enqueue tells itself lands behind the stop: only the stop can write it
    router.tell(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    router.tell(TeamRouter.Stop.INSTANCE);
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(router, Duration.ofSeconds(5));
    ActorRef<TeamRouter.Command> again =
        testKit.spawn(TeamRouter.create(id, settings, silentPorts(), clock));
    TestProbe<TeamRouter.QueueSummary> probe = testKit.createTestProbe();
    again.tell(new TeamRouter.GetQueue(Integer.MAX_VALUE, probe.getRef()));
    assertEquals(
        List.of("c1"),
        probe.receiveMessage().queue().stream().map(QueuedConversation::conversationId).toList());
  }

  static TeamRouter.Settings settings(int maxInFlight) {
    return settings(maxInFlight, Duration.ZERO);
  }

  static TeamRouter.Settings settings(int maxInFlight, Duration stepResendAfter) {
    return new TeamRouter.Settings(
        Strategy.LEAST_LOADED, List.of(), Duration.ofSeconds(3), stepResendAfter, maxInFlight);
  }

  @Test
  void aLongQueueIsHandedOutAFewAtATimeAsAssignmentsAreAnswered() {
    ActorRef<TeamRouter.Command> router =
        testKit.spawn(TeamRouter.create("ws1~login-" + UUID.randomUUID(), settings(2), p, clock));
    for (int i = 0; i < 5; i++) {
      router.tell(new TeamRouter.Enqueue(conv("c" + i, 1, 0)));
      clock.advance(Duration.ofSeconds(1));
    }
    // the team's agent logs in with room for all five: two go out, the rest wait their turn
    router.tell(new TeamRouter.AgentChanged(agent("alice", Presence.ONLINE, 5, 0)));
    ReserveCall r0 = ports.expectMessageClass(ReserveCall.class);
    assertEquals("c1", ports.expectMessageClass(ReserveCall.class).conv());
    ports.expectNoMessage(Duration.ofMillis(200));
    assertEquals("c0", r0.conv());

    // c0 accepted: its place goes to the next in the queue
    r0.replyTo().tell(new Agent.Reserved("c0", agent("alice", Presence.ONLINE, 5, 1)));
    ports.expectMessageClass(OfferCall.class).replyTo().tell(new TeamRouter.Accepted("c0", 1));
    assertEquals("c2", ports.expectMessageClass(ReserveCall.class).conv());
    // c1 resolved while its assignment was out: its place goes on too
    router.tell(new TeamRouter.Dequeue("c1", "resolved"));
    assertEquals("c3", ports.expectMessageClass(ReserveCall.class).conv());
    ports.expectNoMessage(Duration.ofMillis(200));

    TestProbe<TeamRouter.QueueSummary> probe = testKit.createTestProbe();
    router.tell(new TeamRouter.GetQueue(Integer.MAX_VALUE, probe.getRef()));
    TeamRouter.QueueSummary q = probe.receiveMessage();
    assertEquals(2, q.inFlight());
    assertEquals(
        List.of("c4"), q.queue().stream().map(QueuedConversation::conversationId).toList());
  }

  TeamRouter.Ports silentPorts() {
    return new TeamRouter.Ports() {
      public void reserve(String agent, String conv, ActorRef<Agent.ReserveReply> r) {}

      public void release(String agent, String conv) {}

      public void requestReport(String agent, ActorRef<AgentView> r) {}

      public void offer(Assignment a, ActorRef<TeamRouter.OfferReply> r) {}

      public void windowClosedWhileQueued(String conv, long episode, Instant at) {}

      public void queued(String conv, long episode) {}
    };
  }

  @Test
  void aConversationIsConfirmedOnlyOnceItsPlaceIsWritten() {
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    assertEquals(new QueuedCall("c1", 1), confirmations.receiveMessage(Duration.ofSeconds(3)));
    // confirmed means durable: a router started from the journal has it
    kit.restart();
    assertEquals(
        List.of("c1"), queue().queue().stream().map(QueuedConversation::conversationId).toList());
    // announcing the same episode again (a conversation that heard nothing) is confirmed again
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    assertEquals(new QueuedCall("c1", 1), confirmations.receiveMessage(Duration.ofSeconds(3)));
  }

  @Test
  void aFailedWriteConfirmsNothing() {
    // not through the kit: it reads the state after each command, and the failed write stops the
    // router
    ActorRef<TeamRouter.Command> router =
        testKit.spawn(
            TeamRouter.create("ws1~support-" + UUID.randomUUID(), settings(64), p, clock));
    kit.persistenceTestKit().failNextPersisted();
    router.tell(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    // the conversation hears nothing and announces itself again (ConversationTest)
    confirmations.expectNoMessage(Duration.ofMillis(500));
  }

  @Test
  void aWindowClosingWhileQueuedIsReportedToTheConversation() {
    QueuedConversation c =
        new QueuedConversation(
            "c1",
            1,
            0,
            clock.instant().plusMillis(200),
            clock.instant(),
            null,
            Set.of(),
            null,
            null);
    kit.runCommand(new TeamRouter.Enqueue(c));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(
        new WindowCall("c1", 1), ports.expectMessageClass(WindowCall.class, Duration.ofSeconds(3)));
  }

  @Test
  void anUnansweredStepIsRetried() {
    kit.runCommand(new TeamRouter.AgentChanged(agent("alice", Presence.ONLINE, 2, 0)));
    kit.runCommand(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    ports.expectMessageClass(ReserveCall.class);
    // no answer: after the step timeout it is tried again
    ReserveCall retry = ports.expectMessageClass(ReserveCall.class, Duration.ofSeconds(6));
    assertEquals("c1", retry.conv());
    assertFalse(queue().queue().isEmpty() && queue().inFlight() == 0);
  }

  @Test
  void aStepWithoutAnswerIsSentAgainToTheSameAgentAndConversationAndRepeatedAnswersChangeNothing() {
    ActorRef<TeamRouter.Command> router =
        testKit.spawn(
            TeamRouter.create(
                "ws1~resend-" + UUID.randomUUID(), settings(8, Duration.ofMillis(300)), p, clock));
    router.tell(new TeamRouter.AgentChanged(agent("alice", Presence.ONLINE, 2, 0)));
    router.tell(new TeamRouter.Enqueue(conv("c1", 1, 0)));
    ReserveCall first = ports.expectMessageClass(ReserveCall.class);
    // the reservation was lost on its way (a shard hand-off): sent again long before the timeout
    ReserveCall again = ports.expectMessageClass(ReserveCall.class, Duration.ofSeconds(2));
    assertEquals(List.of("alice", "c1"), List.of(again.agent(), again.conv()));
    // the agent answers both alike (it holds the slot): one offer only
    var held = new Agent.Reserved("c1", agent("alice", Presence.ONLINE, 2, 1));
    first.replyTo().tell(held);
    again.replyTo().tell(held);
    OfferCall offer = ports.expectMessageClass(OfferCall.class);
    // the offer is not answered either: offered again, to the same agent's assignment
    OfferCall offerAgain = ports.expectMessageClass(OfferCall.class, Duration.ofSeconds(2));
    assertEquals(offer.assignment(), offerAgain.assignment());
    offer.replyTo().tell(new TeamRouter.Accepted("c1", 1));
    offerAgain.replyTo().tell(new TeamRouter.Accepted("c1", 1));
    // a third, late answer to the reservation: the agent holds an accepted conversation, no slot
    // to give back (releasing it would let the agent exceed its capacity)
    first.replyTo().tell(held);
    ports.expectNoMessage(Duration.ofMillis(600));
    assertEquals(1, steps.size(), "accepted once");
    TestProbe<TeamRouter.QueueSummary> probe = testKit.createTestProbe();
    router.tell(new TeamRouter.GetQueue(10, probe.getRef()));
    TeamRouter.QueueSummary summary = probe.receiveMessage();
    assertEquals(0, summary.length());
    assertEquals(0, summary.inFlight());
  }

  @Test
  void anAnswerForAnEarlierEpisodeLeavesTheCurrentAssignmentAlone() {
    OfferCall offer = offeredToAlice("c1", 2);
    // a repeated offer of episode 1, declined by now, answers late
    offer.replyTo().tell(new TeamRouter.Declined("c1", 1, "stale episode 1, current 2"));
    ports.expectNoMessage(Duration.ofMillis(200)); // no release, the entry stays in flight
    offer.replyTo().tell(new TeamRouter.Accepted("c1", 2));
    ports.expectNoMessage(Duration.ofMillis(200));
    assertEquals(1, steps.size());
  }
}

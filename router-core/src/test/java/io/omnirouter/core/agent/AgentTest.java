package io.omnirouter.core.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.routing.AgentView;
import io.omnirouter.core.routing.Presence;
import io.omnirouter.core.testing.Calls;
import io.omnirouter.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentTest {
  static final ActorTestKit testKit = io.omnirouter.core.testing.TestKits.eventSourced();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  TestClock clock;
  Calls calls;
  EventSourcedBehaviorTestKit<Agent.Command, Agent.Event, Agent.State> kit;

  @BeforeEach
  void setUp() {
    clock = new TestClock(Instant.parse("2026-11-22T09:00:00Z"));
    calls = new Calls();
    var ports =
        new Agent.Ports() {
          public void agentChanged(String team, AgentView v) {
            calls.add(team + " " + v.presence() + " " + v.load() + "/" + v.capacity());
          }

          public void verifyAssignment(String conv, String agent) {
            calls.add("verify " + conv);
          }

          public void unassignForOffline(String conv, String agent) {
            calls.add("unassign " + conv);
          }
        };
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            Agent.create(
                "ws1~alice-" + UUID.randomUUID(),
                new Agent.Settings(Duration.ofMillis(300), Duration.ofMillis(300), true),
                ports,
                clock));
    kit.<Done>runCommand(
        r ->
            new Agent.Configure(
                new Agent.Profile(
                    "Alice", List.of("support", "sales"), 2, List.of("en"), List.of()),
                r));
  }

  Agent.ReserveReply reserve(String conv) {
    return kit.<Agent.ReserveReply>runCommand(r -> new Agent.Reserve(conv, r)).reply();
  }

  void online() {
    kit.<StatusReply<AgentView>>runCommand(r -> new Agent.SetPresence(Presence.ONLINE, r));
  }

  @Test
  void refusesWhileOfflineAndNeverExceedsCapacity() {
    assertInstanceOf(Agent.Refused.class, reserve("c1"));
    online();
    assertInstanceOf(Agent.Reserved.class, reserve("c1"));
    assertInstanceOf(
        Agent.Reserved.class, reserve("c1"), "the same conversation again is idempotent");
    assertInstanceOf(Agent.Reserved.class, reserve("c2"));
    Agent.ReserveReply third = reserve("c3");
    assertInstanceOf(Agent.Refused.class, third);
    assertEquals(2, third.view().load());
  }

  @Test
  void everyChangeIsToldToEachTeamOfTheAgent() {
    calls.drain();
    online();
    reserve("c1");
    assertEquals(
        List.of("support ONLINE 0/2", "sales ONLINE 0/2", "support ONLINE 1/2", "sales ONLINE 1/2"),
        calls.drain());
  }

  @Test
  void capacityChangesTakeEffectAtOnce() {
    online();
    reserve("c1");
    kit.<StatusReply<AgentView>>runCommand(r -> new Agent.SetCapacity(1, r));
    assertInstanceOf(Agent.Refused.class, reserve("c2"));
    var bad = kit.<StatusReply<AgentView>>runCommand(r -> new Agent.SetCapacity(-1, r)).reply();
    assertTrue(bad.isError());
  }

  @Test
  void confirmedConversationsSurviveARestartAndReleaseFreesTheSlot() {
    online();
    reserve("c1");
    kit.runCommand(new Agent.Confirm("c1"));
    reserve("c2");
    kit.runCommand(new Agent.Confirm("c2"));
    kit.restart();
    AgentView view = kit.<AgentView>runCommand(Agent.Get::new).reply();
    assertEquals(2, view.load());
    kit.runCommand(new Agent.Release("c1"));
    assertInstanceOf(Agent.Reserved.class, reserve("c3"));
  }

  @Test
  void aReservationNotConfirmedInTimeIsCheckedWithTheConversation() {
    online();
    reserve("c1");
    reserve("c2");
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertTrue(calls.all().contains("verify c1"), calls.all().toString());
              assertTrue(calls.all().contains("verify c2"), calls.all().toString());
              return null;
            });
    assertEquals(
        2, kit.<AgentView>runCommand(Agent.Get::new).reply().load(), "nothing released on a guess");
    // the conversations answer: c1 was assigned to this agent (its confirm was lost), c2 was not
    kit.runCommand(new Agent.Confirm("c1"));
    kit.runCommand(new Agent.Release("c2"));
    assertEquals(1, kit.<AgentView>runCommand(Agent.Get::new).reply().load());
  }

  @Test
  void afterTheOfflineGraceItsConversationsGoBackToTheQueue() {
    online();
    reserve("c1");
    kit.runCommand(new Agent.Confirm("c1"));
    calls.drain();
    kit.<StatusReply<AgentView>>runCommand(r -> new Agent.SetPresence(Presence.OFFLINE, r));
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertTrue(calls.all().contains("unassign c1"), calls.all().toString());
              return null;
            });
  }
}

package io.omnirouter.server.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnirouter.core.readside.LiveEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** After a node is removed: which conversations the audit asks the read side about, and when. */
class ReadSideAuditTest {
  static final ActorTestKit kit = ActorTestKit.create("read-side-audit");
  static final Instant REMOVED = Instant.parse("2026-11-23T20:00:00Z");

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void theOldestNodeChecksConversationsUpToTheLastEventStoredBeforeTheRemovalAndEveryContact() {
    Map<String, List<LiveEvent>> recent =
        Map.of(
            "a",
            List.of(
                event("a~ct-1", 1, "message.received", -20),
                event("a~ct-1", 3, "conversation.queued", -5),
                event("a~ct-2", 7, "message.received", -1),
                // stored after the removal, on a node that is still there: not at risk
                event("a~ct-2", 8, "message.received", 2),
                // all its events came later: only its contact is checked
                event("a~ct-3", 4, "message.received", 3)),
            "b",
            List.of(
                event("b~ct-1", 2, "message.received", -3),
                // derived from the read side, not a journal event
                event("b~ct-9", 40, "window.closing", -2)));
    TestProbe<Map<String, Long>> asked = kit.createTestProbe();
    var audit = kit.spawn(audit(recent, asked));

    audit.tell(new ReadSideAudit.NodeRemoved(REMOVED, true));

    assertEquals(
        Map.of("a~ct-1", 3L, "a~ct-2", 7L, "a~ct-3", 0L, "b~ct-1", 2L),
        asked.receiveMessage(Duration.ofSeconds(5)));
  }

  @Test
  void aNodeThatIsNotTheOldestLeavesItToTheOldest() {
    TestProbe<Map<String, Long>> asked = kit.createTestProbe();
    var audit =
        kit.spawn(audit(Map.of("a", List.of(event("a~ct-1", 1, "message.received", -1))), asked));

    audit.tell(new ReadSideAudit.NodeRemoved(REMOVED, false));

    asked.expectNoMessage(Duration.ofMillis(500));
  }

  private static org.apache.pekko.actor.typed.Behavior<ReadSideAudit.Command> audit(
      Map<String, List<LiveEvent>> recent, TestProbe<Map<String, Long>> asked) {
    var hub =
        kit.spawn(
            Behaviors.receive(LiveHub.Command.class)
                .onMessage(
                    LiveHub.Recent.class,
                    r -> {
                      r.replyTo().tell(recent.getOrDefault(r.workspace(), List.of()));
                      return Behaviors.same();
                    })
                .build());
    return ReadSideAudit.behavior(
        recent.keySet(),
        hub,
        reached -> {
          asked.getRef().tell(reached);
          return CompletableFuture.completedFuture(0);
        },
        Duration.ofMillis(100),
        Duration.ofSeconds(3));
  }

  private static LiveEvent event(String conversation, long seq, String type, int secondsAfter) {
    Instant at = REMOVED.plusSeconds(secondsAfter);
    return new LiveEvent(
        LiveEvent.id(at, seq, conversation),
        conversation.substring(0, conversation.indexOf('~')),
        conversation,
        seq,
        type,
        Set.of(),
        at,
        "{}");
  }
}

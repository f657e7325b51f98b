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
  void conversationsLastQueuedJustBeforeTheRemovalAreWokenToAnnounceThemselvesAgain() {
    Map<String, List<LiveEvent>> recent =
        Map.of(
            "a",
            List.of(
                // queued, then a message and a tag: still queued
                event("a~ct-1", 2, "conversation.queued", -9),
                event("a~ct-1", 3, "message.received", -8),
                event("a~ct-1", 4, "conversation.tags", -7),
                // queued, then assigned: its router has done its part
                event("a~ct-2", 2, "conversation.queued", -9),
                event("a~ct-2", 3, "conversation.assigned", -8),
                // unassigned and queued again (events in any order in the hub)
                event("a~ct-3", 6, "conversation.queued", -2),
                event("a~ct-3", 5, "conversation.unassigned", -2),
                // never queued
                event("a~ct-4", 1, "message.received", -1),
                // queued two minutes before: its router wrote it long before the node left
                event("a~ct-5", 3, "conversation.queued", -120)),
            "b",
            // queued after the removal, on a node that is still there
            List.of(event("b~ct-1", 9, "conversation.queued", 4)));
    TestProbe<Map<String, Long>> asked = kit.createTestProbe();
    TestProbe<String> woken = kit.createTestProbe();
    var audit = kit.spawn(audit(recent, asked, woken));

    audit.tell(new ReadSideAudit.NodeRemoved(REMOVED, true));

    asked.receiveMessage(Duration.ofSeconds(5));
    assertEquals(
        Set.of("a~ct-1", "a~ct-3"),
        Set.copyOf(woken.receiveSeveralMessages(2, Duration.ofSeconds(5))));
    woken.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void conversationsWithAReplyNotYetSentAreWokenToSendItAgain() {
    Map<String, List<LiveEvent>> recent =
        Map.of(
            "a",
            List.of(
                // queued before the removal, nothing since: its dispatcher may have left with it
                reply("a~ct-1", 5, "message.sent", "m1", "queued", -5),
                // queued, then sent
                reply("a~ct-2", 5, "message.sent", "m2", "queued", -5),
                reply("a~ct-2", 6, "message.state", "m2", "sent", -4),
                // queued after the removal, on a node that is still there
                reply("a~ct-3", 5, "message.sent", "m3", "queued", 3),
                // queued before, failed after (another node has it)
                reply("a~ct-4", 5, "message.sent", "m4", "queued", -5),
                reply("a~ct-4", 6, "message.state", "m4", "failed", 10)));
    TestProbe<Map<String, Long>> asked = kit.createTestProbe();
    TestProbe<String> woken = kit.createTestProbe();
    var audit = kit.spawn(audit(recent, asked, woken));

    audit.tell(new ReadSideAudit.NodeRemoved(REMOVED, true));

    asked.receiveMessage(Duration.ofSeconds(5));
    assertEquals("a~ct-1", woken.receiveMessage(Duration.ofSeconds(5)));
    woken.expectNoMessage(Duration.ofMillis(300));
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
    return audit(recent, asked, kit.createTestProbe());
  }

  private static org.apache.pekko.actor.typed.Behavior<ReadSideAudit.Command> audit(
      Map<String, List<LiveEvent>> recent,
      TestProbe<Map<String, Long>> asked,
      TestProbe<String> woken) {
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
        id -> woken.getRef().tell(id),
        Duration.ofMillis(100),
        Duration.ofSeconds(3));
  }

  private static LiveEvent reply(
      String conversation,
      long seq,
      String type,
      String messageId,
      String state,
      int secondsAfter) {
    return event(
        conversation,
        seq,
        type,
        secondsAfter,
        "{\"messageId\":\"" + messageId + "\",\"state\":\"" + state + "\"}");
  }

  private static LiveEvent event(String conversation, long seq, String type, int secondsAfter) {
    return event(conversation, seq, type, secondsAfter, "{}");
  }

  private static LiveEvent event(
      String conversation, long seq, String type, int secondsAfter, String data) {
    Instant at = REMOVED.plusSeconds(secondsAfter);
    return new LiveEvent(
        LiveEvent.id(at, seq, conversation),
        conversation.substring(0, conversation.indexOf('~')),
        conversation,
        seq,
        type,
        Set.of(),
        at,
        data);
  }
}

package io.omnirouter.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A webhook's append when sharding drops it, or its partition is on its way to another node. */
class ResendingAppendTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final List<IngestEntry> ENTRIES = List.of(IngestPartitionTest.message("1", "m1"));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static java.util.concurrent.CompletableFuture<IngestPartition.Outcome> append(
      TestProbe<IngestPartition.Command> partition, Duration timeout, Duration resendAfter) {
    return ResendingAppend.append(partition.getRef(), ENTRIES, timeout, resendAfter, kit.system())
        .toCompletableFuture();
  }

  @Test
  void anAppendDroppedOnTheWayIsSentAgainWithTheSameId() throws Exception {
    TestProbe<IngestPartition.Command> partition = kit.createTestProbe();
    var result = append(partition, Duration.ofSeconds(5), Duration.ofMillis(200));
    var dropped = partition.expectMessageClass(IngestPartition.Append.class);
    var again = partition.expectMessageClass(IngestPartition.Append.class, Duration.ofSeconds(2));
    assertEquals(dropped.id(), again.id(), "the partition can tell it is the same append");
    assertEquals(ENTRIES, again.entries());
    again.replyTo().tell(IngestPartition.Outcome.APPENDED);
    assertEquals(IngestPartition.Outcome.APPENDED, result.get(2, TimeUnit.SECONDS));
    partition.expectNoMessage(Duration.ofMillis(400));
  }

  @Test
  void aPartitionOnItsWayToAnotherNodeIsAskedAgainSoonNotAfterTheTimeout() throws Exception {
    TestProbe<IngestPartition.Command> partition = kit.createTestProbe();
    var result = append(partition, Duration.ofSeconds(5), Duration.ZERO);
    partition
        .expectMessageClass(IngestPartition.Append.class)
        .replyTo()
        .tell(IngestPartition.Outcome.MOVING);
    partition
        .expectMessageClass(IngestPartition.Append.class, Duration.ofSeconds(1))
        .replyTo()
        .tell(IngestPartition.Outcome.BUSY);
    assertEquals(IngestPartition.Outcome.BUSY, result.get(2, TimeUnit.SECONDS));
  }

  @Test
  void anAppendNeverAnsweredIsSentAgainOnceAndFailsAtTheDeadline() {
    TestProbe<IngestPartition.Command> partition = kit.createTestProbe();
    var result = append(partition, Duration.ofMillis(1000), Duration.ofMillis(300));
    assertThrows(ExecutionException.class, () -> result.get(3, TimeUnit.SECONDS));
    // sent at 0 and 300 ms, not again: a slow partition is not asked again and again
    var ids = new java.util.HashSet<String>();
    int sends = 0;
    for (Object m : drain(partition)) {
      ids.add(((IngestPartition.Append) m).id());
      sends++;
    }
    assertEquals(2, sends, "sent " + sends + " times");
    assertEquals(1, ids.size(), "always the same append");
  }

  static List<IngestPartition.Command> drain(TestProbe<IngestPartition.Command> probe) {
    var got = new java.util.ArrayList<IngestPartition.Command>();
    while (true) {
      try {
        got.add(probe.receiveMessage(Duration.ofMillis(100)));
      } catch (AssertionError none) {
        return got;
      }
    }
  }

  @Test
  void withoutResendingItIsSentOnce() {
    TestProbe<IngestPartition.Command> partition = kit.createTestProbe();
    var result = append(partition, Duration.ofMillis(500), Duration.ZERO);
    partition.expectMessageClass(IngestPartition.Append.class);
    partition.expectNoMessage(Duration.ofMillis(700));
    assertThrows(ExecutionException.class, () -> result.get(1, TimeUnit.SECONDS));
  }
}

package io.omnirouter.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Await;
import scala.jdk.javaapi.CollectionConverters;

class StayingAllocationTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static ActorRef region() {
    return Adapter.toClassic(kit.createTestProbe().getRef());
  }

  static IndexedSeq<String> shards(String... ids) {
    return CollectionConverters.asScala(List.of(ids)).toIndexedSeq();
  }

  static <T> T await(scala.concurrent.Future<T> f) throws Exception {
    return Await.result(
        f, scala.concurrent.duration.Duration.fromNanos(Duration.ofSeconds(1).toNanos()));
  }

  static final Duration SETTLE = Duration.ofSeconds(60);

  /** A coordinator's strategy on a clock the test moves. */
  static final class Clocked {
    long now = 1_000_000_000L;
    Set<String> members = Set.of("node-1 Up", "node-2 Up", "node-3 Up");
    final StayingAllocation strategy = new StayingAllocation(SETTLE, () -> now, () -> members);

    void pass(Duration d) {
      now += d.toNanos();
    }
  }

  @Test
  void aPartitionNeedingAHomeGoesToTheNodeWithTheFewestTheAskingOneOnATie() throws Exception {
    ActorRef a = region();
    ActorRef b = region();
    ActorRef empty = region();
    var strategy = new StayingAllocation(Duration.ZERO, Set::of);
    assertEquals(
        empty,
        await(
            strategy.allocateShard(
                a, "5", Map.of(a, shards("1", "2"), b, shards("3"), empty, shards()))));
    assertEquals(b, await(strategy.allocateShard(b, "5", Map.of(a, shards("1"), b, shards("3")))));
    assertEquals(a, await(strategy.allocateShard(a, "5", Map.of(a, shards("1"), b, shards("3")))));
  }

  @Test
  void aNodeThatJustJoinedGetsNoPartitionUntilItSettled() throws Exception {
    ActorRef a = region();
    ActorRef b = region();
    var clocked = new Clocked();
    var strategy = clocked.strategy;
    // a new coordinator: every region is new, so any may take a partition
    assertEquals(a, await(strategy.allocateShard(a, "0", Map.of(a, shards(), b, shards("1")))));
    clocked.pass(SETTLE);
    ActorRef joined = region();
    var afterJoin = Map.of(a, shards("0", "1", "2"), b, shards("3", "4"), joined, shards());
    assertEquals(
        b,
        await(strategy.allocateShard(a, "5", afterJoin)),
        "the settled node with the fewest, not the cold one");
    assertTrue(await(strategy.rebalance(afterJoin, Set.of())).isEmpty(), "nothing moved to it");
    clocked.pass(SETTLE);
    assertEquals(joined, await(strategy.allocateShard(a, "5", afterJoin)));
  }

  @Test
  void partitionsAreSpreadOneAtATimeFromTheNodeWithTheMost() throws Exception {
    ActorRef first = region();
    ActorRef second = region();
    ActorRef third = region();
    var clocked = new Clocked();
    var strategy = clocked.strategy;
    var allOnFirst =
        Map.of(
            first,
            shards("0", "1", "2", "3", "4", "5", "6", "7"),
            second,
            shards(),
            third,
            shards());
    assertTrue(
        await(strategy.rebalance(allOnFirst, Set.of())).isEmpty(),
        "a new coordinator moves nothing before the nodes it sees have settled");
    clocked.pass(SETTLE);
    assertEquals(Set.of("7"), await(strategy.rebalance(allOnFirst, Set.of())), "one at a time");
    assertTrue(
        await(strategy.rebalance(allOnFirst, Set.of("7"))).isEmpty(), "none while one is moving");
    var unevenAfterALeave = Map.of(first, shards("0", "1", "2", "3", "4", "5"), third, shards());
    assertTrue(
        await(strategy.rebalance(unevenAfterALeave, Set.of())).isEmpty(),
        "nothing moves while the nodes change (a rolling restart brings the node back)");
    clocked.pass(SETTLE);
    assertEquals(Set.of("5"), await(strategy.rebalance(unevenAfterALeave, Set.of())));
    clocked.members = Set.of("node-1 Up", "node-2 Joining", "node-3 Up");
    assertTrue(
        await(strategy.rebalance(unevenAfterALeave, Set.of())).isEmpty(),
        "nothing moves once a node joins the cluster, before its region has registered");
    clocked.pass(SETTLE.minusSeconds(1));
    clocked.members = Set.of("node-1 Up", "node-2 Up", "node-3 Up");
    assertTrue(
        await(strategy.rebalance(unevenAfterALeave, Set.of())).isEmpty(),
        "nor when it is up (its region still unknown)");
    clocked.pass(SETTLE);
    assertEquals(Set.of("5"), await(strategy.rebalance(unevenAfterALeave, Set.of())));
    var nearlyEven =
        Map.of(
            first, shards("0", "1", "2"), second, shards("3", "4", "5"), third, shards("6", "7"));
    strategy.rebalance(nearlyEven, Set.of()); // the second node is back
    clocked.pass(SETTLE.multipliedBy(2));
    assertTrue(
        await(strategy.rebalance(nearlyEven, Set.of())).isEmpty(), "one apart is even enough");
  }
}

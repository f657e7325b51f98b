package io.omnirouter.core.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.junit.jupiter.api.Test;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Map;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

class SettledRebalanceTest {
  static final Duration SETTLE = Duration.ofSeconds(60);

  /** Pekko's strategy as far as this one sees it: it would always move shard "7". */
  static final class Delegate implements ShardCoordinator.ShardAllocationStrategy {
    int allocations;

    @Override
    public Future<ActorRef> allocateShard(
        ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
      allocations++;
      return Future.successful(requester);
    }

    @Override
    public Future<scala.collection.immutable.Set<String>> rebalance(
        Map<ActorRef, IndexedSeq<String>> current,
        scala.collection.immutable.Set<String> rebalanceInProgress) {
      return Future.successful(CollectionConverters.asScala(Set.of("7")).toSet());
    }
  }

  long now = 5_000_000_000L;
  Set<String> members = Set.of("node-1 Up", "node-2 Up", "node-3 Up");
  final Delegate delegate = new Delegate();
  final SettledRebalance strategy =
      new SettledRebalance(delegate, SETTLE, () -> now, () -> members);

  Set<String> rebalance() {
    Map<ActorRef, IndexedSeq<String>> none = scala.collection.immutable.Map$.MODULE$.empty();
    return CollectionConverters.asJava(
        strategy
            .rebalance(none, scala.collection.immutable.Set$.MODULE$.<String>empty())
            .value()
            .get()
            .get());
  }

  void pass(Duration d) {
    now += d.toNanos();
  }

  @Test
  void shardsMoveOnlyOnceTheMembersHaveBeenStillForTheSettleTime() {
    // a coordinator that has just started (a node joined, one left) moves nothing yet
    rebalance();
    pass(SETTLE.minusSeconds(1));
    assertEquals(Set.of(), rebalance());
    pass(Duration.ofSeconds(1));
    assertEquals(Set.of("7"), rebalance());

    // a node returns (joining, then up): the wait starts again at each change
    members = Set.of("node-1 Up", "node-2 Up", "node-3 Up", "node-3b Joining");
    assertEquals(Set.of(), rebalance());
    pass(Duration.ofSeconds(30));
    members = Set.of("node-1 Up", "node-2 Up", "node-3 Up", "node-3b Up");
    assertEquals(Set.of(), rebalance());
    pass(Duration.ofSeconds(59));
    assertEquals(Set.of(), rebalance());
    pass(Duration.ofSeconds(1));
    assertEquals(Set.of("7"), rebalance());
  }

  @Test
  void shardsNeedingAHomeArePlacedAtOnceWhileTheMembersChange() {
    members = Set.of("node-1 Up", "node-2 Leaving");
    rebalance();
    ActorRef requester = ActorRef.noSender();
    Map<ActorRef, IndexedSeq<String>> none = scala.collection.immutable.Map$.MODULE$.empty();
    assertSame(requester, strategy.allocateShard(requester, "3", none).value().get().get());
    assertEquals(1, delegate.allocations);
  }
}

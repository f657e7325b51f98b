package io.omnirouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnirouter.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Await;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

class WarmRebalancingTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** Sharding's least-shard choice, simplified: the region with the fewest; moves shard "1". */
  static final class Least implements ShardCoordinator.ShardAllocationStrategy {
    @Override
    public Future<ActorRef> allocateShard(
        ActorRef requester,
        String shardId,
        scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> current) {
      ActorRef best = null;
      int fewest = Integer.MAX_VALUE;
      for (var e : CollectionConverters.asJava(current).entrySet()) {
        if (e.getValue().size() < fewest) {
          best = e.getKey();
          fewest = e.getValue().size();
        }
      }
      return Future.successful(best);
    }

    @Override
    public Future<scala.collection.immutable.Set<String>> rebalance(
        scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> current,
        scala.collection.immutable.Set<String> inProgress) {
      return Future.successful(
          scala.collection.immutable.Set$.MODULE$.from(CollectionConverters.asScala(List.of("1"))));
    }
  }

  static ActorRef region() {
    return Adapter.toClassic(kit.createTestProbe().getRef());
  }

  static IndexedSeq<String> shards(String... ids) {
    return CollectionConverters.asScala(List.of(ids)).toIndexedSeq();
  }

  static <T> T await(Future<T> f) throws Exception {
    return Await.result(f, scala.concurrent.duration.Duration.fromNanos(1_000_000_000L));
  }

  final TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00Z"));

  @Test
  void aNodeThatJustJoinedGetsNothingMovedToItUntilItIsWarm() throws Exception {
    var strategy = new WarmRebalancing(new Least(), Duration.ofSeconds(20), clock);
    ActorRef a = region();
    ActorRef b = region();
    Map<ActorRef, IndexedSeq<String>> two = Map.of(a, shards("1", "2"), b, shards("3"));
    clock.advance(Duration.ofSeconds(30)); // a and b have been here a while
    strategy.rebalance(two, Set.of());
    clock.advance(Duration.ofSeconds(30));
    assertEquals(Set.of("1"), await(strategy.rebalance(two, Set.of())), "warm nodes: as sharding");

    ActorRef joined = region();
    Map<ActorRef, IndexedSeq<String>> three =
        Map.of(a, shards("1", "2"), b, shards("3"), joined, shards());
    assertEquals(Set.of(), await(strategy.rebalance(three, Set.of())));
    // a shard that needs a home meanwhile goes to a warm node, not to the empty cold one
    assertEquals(b, await(strategy.allocateShard(joined, "9", three)));
    clock.advance(Duration.ofSeconds(19));
    assertEquals(Set.of(), await(strategy.rebalance(three, Set.of())));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Set.of("1"), await(strategy.rebalance(three, Set.of())));
    assertEquals(joined, await(strategy.allocateShard(a, "9", three)));
  }

  @Test
  void withEveryNodeNewItStillAllocatesAndAZeroDelayIsShardingsOwnBehaviour() throws Exception {
    var waiting = new WarmRebalancing(new Least(), Duration.ofSeconds(20), clock);
    ActorRef a = region();
    ActorRef b = region();
    Map<ActorRef, IndexedSeq<String>> current = Map.of(a, shards("1", "2"), b, shards());
    assertEquals(b, await(waiting.allocateShard(a, "9", current)), "a fresh cluster starts");
    assertEquals(Set.of(), await(waiting.rebalance(current, Set.of())));

    var atOnce = new WarmRebalancing(new Least(), Duration.ZERO, clock);
    assertEquals(Set.of("1"), await(atOnce.rebalance(current, Set.of())));
  }
}

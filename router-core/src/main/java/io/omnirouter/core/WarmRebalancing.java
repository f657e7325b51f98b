package io.omnirouter.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Sharding's least-shard allocation, except for a node that has just joined: no shard is moved to
 * it (rebalance), and no shard needing a home goes to it while another node can take it, until it
 * has been in the cluster for {@code omnirouter.cluster.rebalance-after-join}. A restarted node is
 * a cold JVM still starting its projections; moved onto it at once, the conversations of twenty
 * shards at a time waited for it while the two shared cores were busiest, and the rolling-restart
 * drill's only failed webhooks came in those seconds (docs/RELIABILITY.md). After the delay it
 * takes its share at sharding's usual pace (`rebalance-absolute-limit` every `rebalance-interval`).
 *
 * <p>The coordinator keeps this object; a node's age is counted from the first time its region
 * appears here (a new coordinator, after the oldest node left, counts every node anew: it waits the
 * same delay before its first rebalance).
 */
public final class WarmRebalancing extends ShardCoordinator.AbstractShardAllocationStrategy
    implements ShardCoordinator.ActorSystemDependentAllocationStrategy {

  private final ShardCoordinator.ShardAllocationStrategy delegate;
  private final Duration warmUp;
  private final Clock clock;
  private final Map<ActorRef, Instant> firstSeen = new HashMap<>();
  private static final scala.concurrent.ExecutionContext SAME_THREAD =
      scala.concurrent.ExecutionContext.fromExecutor(Runnable::run);

  public WarmRebalancing(
      ShardCoordinator.ShardAllocationStrategy delegate, Duration warmUp, Clock clock) {
    this.delegate = delegate;
    this.warmUp = warmUp;
    this.clock = clock;
  }

  /** Least-shard allocation with the limits of {@code least-shard-allocation-strategy}. */
  public static WarmRebalancing fromConfig(com.typesafe.config.Config root) {
    var least = root.getConfig("pekko.cluster.sharding.least-shard-allocation-strategy");
    return new WarmRebalancing(
        ShardCoordinator.ShardAllocationStrategy$.MODULE$.leastShardAllocationStrategy(
            least.getInt("rebalance-absolute-limit"), least.getDouble("rebalance-relative-limit")),
        root.getDuration("omnirouter.cluster.rebalance-after-join"),
        Clock.systemUTC());
  }

  @Override
  public void start(ActorSystem system) {
    if (delegate instanceof ShardCoordinator.ActorSystemDependentAllocationStrategy s) {
      s.start(system);
    } else if (delegate instanceof ShardCoordinator.StartableAllocationStrategy s) {
      s.start();
    }
  }

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    Map<ActorRef, IndexedSeq<String>> warm = warm(current);
    Map<ActorRef, IndexedSeq<String>> candidates = warm.isEmpty() ? current : warm;
    return delegate.allocateShard(requester, shardId, scalaMap(candidates));
  }

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> current, Set<String> rebalanceInProgress) {
    if (warm(current).size() < current.size()) {
      return Future.successful(Set.of());
    }
    return delegate
        .rebalance(
            scalaMap(current),
            scala.collection.immutable.Set$.MODULE$.from(asScala(rebalanceInProgress)))
        .map(
            (scala.collection.immutable.Set<String> moved) -> CollectionConverters.asJava(moved),
            SAME_THREAD);
  }

  /** The regions of {@code current} that have been here for the warm-up; forgets gone ones. */
  private Map<ActorRef, IndexedSeq<String>> warm(Map<ActorRef, IndexedSeq<String>> current) {
    Instant now = clock.instant();
    firstSeen.keySet().retainAll(current.keySet());
    Map<ActorRef, IndexedSeq<String>> warm = new LinkedHashMap<>();
    current.forEach(
        (region, shards) -> {
          if (!now.isBefore(firstSeen.computeIfAbsent(region, r -> now).plus(warmUp))) {
            warm.put(region, shards);
          }
        });
    return warm;
  }

  private static scala.collection.immutable.Map<ActorRef, IndexedSeq<String>> scalaMap(
      Map<ActorRef, IndexedSeq<String>> map) {
    return scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(map));
  }

  private static scala.collection.Iterable<String> asScala(Set<String> set) {
    return CollectionConverters.asScala(set);
  }
}

package io.omnirouter.core.sharding;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Map;
import scala.concurrent.Future;

/**
 * Pekko's shard allocation with one change: running shards are moved (rebalanced) only once the
 * cluster's membership has not changed for {@code settle}. New shards and those of a node that left
 * or was lost are placed at once, as before.
 *
 * <p>Why: when a node came back during a rolling restart, sharding moved conversation, identity and
 * contact shards to it at once, 20 every 2 s — each move stops the shard's entities, holds their
 * messages and recovers them on a JVM that has just started — and messages already acknowledged
 * waited in the ingest log up to 24–38 s to reach their threads (rolling-restart drill with agents,
 * docs/RELIABILITY.md; about 11 s with no moves back). A rolling restart changes membership every
 * minute or so, so the moves wait until it is over and the nodes are warm.
 */
public final class SettledRebalance
    implements ShardCoordinator.ActorSystemDependentAllocationStrategy {
  private final ShardCoordinator.ShardAllocationStrategy delegate;
  private final long settleNanos;
  private final LongSupplier clock;
  private final Supplier<?> membership;
  private final Members.Still still = new Members.Still();

  /**
   * @param membership the cluster's members with their states, compared with equals: any change (a
   *     node joining, up, leaving, removed) restarts the wait
   */
  public SettledRebalance(
      ShardCoordinator.ShardAllocationStrategy delegate, Duration settle, Supplier<?> membership) {
    this(delegate, settle, System::nanoTime, membership);
  }

  SettledRebalance(
      ShardCoordinator.ShardAllocationStrategy delegate,
      Duration settle,
      LongSupplier clock,
      Supplier<?> membership) {
    this.delegate = delegate;
    this.settleNanos = settle.toNanos();
    this.clock = clock;
    this.membership = membership;
  }

  /**
   * Pekko's least-shard strategy with the configured limits ({@code
   * least-shard-allocation-strategy}).
   */
  public static ShardCoordinator.ShardAllocationStrategy leastShard(
      com.typesafe.config.Config config) {
    var c = config.getConfig("pekko.cluster.sharding.least-shard-allocation-strategy");
    return ShardCoordinator.ShardAllocationStrategy$.MODULE$.leastShardAllocationStrategy(
        c.getInt("rebalance-absolute-limit"), c.getDouble("rebalance-relative-limit"));
  }

  @Override
  public void start(ActorSystem system) {
    if (delegate instanceof ShardCoordinator.ActorSystemDependentAllocationStrategy d) {
      d.start(system);
    } else if (delegate instanceof ShardCoordinator.StartableAllocationStrategy s) {
      s.start();
    }
  }

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    return delegate.allocateShard(requester, shardId, current);
  }

  @Override
  public Future<scala.collection.immutable.Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> current,
      scala.collection.immutable.Set<String> rebalanceInProgress) {
    long now = clock.getAsLong();
    if (now - still.since(membership.get(), now) < settleNanos) {
      return Future.successful(scala.collection.immutable.Set$.MODULE$.<String>empty());
    }
    return delegate.rebalance(current, rebalanceInProgress);
  }
}

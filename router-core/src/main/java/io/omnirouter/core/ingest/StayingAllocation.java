package io.omnirouter.core.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Where the ingest partitions run. A partition that needs a home (first use, or its node left or
 * was lost) goes to the settled node holding the fewest of them, the asking node on a tie; a node
 * is settled once it has been in the cluster {@code settle} (its JVM warm, its Cassandra session
 * up). Running partitions are moved only to spread them: one at a time, from the node holding the
 * most to a settled node holding at least two fewer, and only once no node has joined or left for
 * {@code settle} (a node starting next to the others, or the hand-offs of one leaving, make every
 * move slow: rolling-restart drill 18 failed webhooks on moves made while a node joined). "Joined
 * or left" is read from the cluster's membership as well as from the regions this coordinator
 * knows: a node's region registers seconds after the node is up, and drill 24 saw a partition moved
 * in those seconds (it took 3.9 s to start again while the new node's conversations were moving to
 * it).
 *
 * <p>Why so slowly: moving a partition stops it, and webhooks for it wait until its new owner has
 * read its unfed rows — on a node that had just joined that took over the 4 s webhook timeout, and
 * every 503 of the early rolling-restart drills came from such moves (docs/RELIABILITY.md). Why at
 * all: without it, the node that happened to start first takes every partition of a new cluster and
 * keeps them, and when it leaves all of them move at once.
 */
public final class StayingAllocation extends ShardCoordinator.AbstractShardAllocationStrategy {
  private final long settleNanos;
  private final LongSupplier clock;
  private final Supplier<?> membership;
  // when this coordinator first saw each region (a new coordinator sees every region as new)
  private final Map<ActorRef, Long> firstSeen = new HashMap<>();
  private long membershipChanged;
  private final io.omnirouter.core.sharding.Members.Still still =
      new io.omnirouter.core.sharding.Members.Still();

  /**
   * @param membership the cluster's members with their states, compared with equals: any change (a
   *     node joining, up, leaving, removed) counts as the nodes changing
   */
  public StayingAllocation(Duration settle, Supplier<?> membership) {
    this(settle, System::nanoTime, membership);
  }

  StayingAllocation(Duration settle, LongSupplier clock, Supplier<?> membership) {
    this.settleNanos = settle.toNanos();
    this.clock = clock;
    this.membership = membership;
  }

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    Map<ActorRef, IndexedSeq<String>> settled = settled(current);
    // a new coordinator has seen every region for a moment only: any may take it then
    return Future.successful(choose(requester, settled.isEmpty() ? current : settled));
  }

  static ActorRef choose(ActorRef requester, Map<ActorRef, IndexedSeq<String>> current) {
    ActorRef best = current.containsKey(requester) ? requester : null;
    int fewest = best != null ? current.get(requester).size() : Integer.MAX_VALUE;
    for (Map.Entry<ActorRef, IndexedSeq<String>> region : current.entrySet()) {
      if (region.getValue().size() < fewest) {
        best = region.getKey();
        fewest = region.getValue().size();
      }
    }
    return best != null ? best : requester;
  }

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> current, Set<String> rebalanceInProgress) {
    Map<ActorRef, IndexedSeq<String>> settled = settled(current);
    if (!rebalanceInProgress.isEmpty()
        || settled.size() < 2
        || clock.getAsLong() - membershipChanged < settleNanos) {
      return Future.successful(Set.of());
    }
    IndexedSeq<String> most = null;
    int fewest = Integer.MAX_VALUE;
    for (IndexedSeq<String> shards : current.values()) {
      if (most == null || shards.size() > most.size()) {
        most = shards;
      }
    }
    for (IndexedSeq<String> shards : settled.values()) {
      fewest = Math.min(fewest, shards.size());
    }
    if (most.size() - fewest < 2) {
      return Future.successful(Set.of());
    }
    return Future.successful(Set.of(most.last()));
  }

  /** The regions this coordinator has known for {@code settle} at least. */
  private Map<ActorRef, IndexedSeq<String>> settled(Map<ActorRef, IndexedSeq<String>> current) {
    long now = clock.getAsLong();
    // the regions this coordinator knows count too: one registers seconds after its node is up
    membershipChanged = still.since(List.of(membership.get(), Set.copyOf(current.keySet())), now);
    firstSeen.keySet().retainAll(current.keySet());
    Map<ActorRef, IndexedSeq<String>> settled = new HashMap<>();
    for (Map.Entry<ActorRef, IndexedSeq<String>> region : current.entrySet()) {
      long seen = firstSeen.computeIfAbsent(region.getKey(), r -> now);
      if (now - seen >= settleNanos) {
        settled.put(region.getKey(), region.getValue());
      }
    }
    return settled;
  }
}

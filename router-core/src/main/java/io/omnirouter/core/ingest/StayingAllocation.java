package io.omnirouter.core.ingest;

import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Where the ingest partitions run: a partition that needs a home (first use, or its node left or
 * was lost) goes to the node holding the fewest of them, the asking node on a tie; a running
 * partition is never moved to even the count out. Moving one stops it, and webhooks for it wait
 * until its new owner has read its unfed rows — on a node that has just joined (cold JVM, new
 * Cassandra session) that took over the 4 s webhook timeout, and every 503 in the rolling-restart
 * drill came from those rebalances, none from nodes leaving (docs/RELIABILITY.md). A partition is
 * one Cassandra write per batch; an uneven spread of eight of them costs little.
 */
public final class StayingAllocation extends ShardCoordinator.AbstractShardAllocationStrategy {

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    return Future.successful(choose(requester, current));
  }

  static ActorRef choose(ActorRef requester, Map<ActorRef, IndexedSeq<String>> current) {
    ActorRef best = requester;
    int fewest = current.containsKey(requester) ? current.get(requester).size() : Integer.MAX_VALUE;
    for (Map.Entry<ActorRef, IndexedSeq<String>> region : current.entrySet()) {
      if (region.getValue().size() < fewest) {
        best = region.getKey();
        fewest = region.getValue().size();
      }
    }
    return best;
  }

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> current, Set<String> rebalanceInProgress) {
    return Future.successful(Set.of());
  }
}

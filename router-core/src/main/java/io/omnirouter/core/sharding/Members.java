package io.omnirouter.core.sharding;

import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.cluster.Cluster;

/**
 * The cluster's members as our shard allocation strategies watch them ({@link SettledRebalance},
 * the ingest partitions' {@code StayingAllocation}): a move waits until they have been still a
 * while.
 */
public final class Members {
  private Members() {}

  /** Every member of {@code cluster} with its unique address and status. */
  public static Supplier<Set<String>> of(Cluster cluster) {
    return () -> {
      Set<String> members = new java.util.HashSet<>();
      cluster.state().getMembers().forEach(m -> members.add(m.uniqueAddress() + " " + m.status()));
      return members;
    };
  }

  /**
   * A watched state and when it last changed. Not thread-safe: one coordinator's strategy owns it.
   */
  public static final class Still {
    private Object last;
    private long since;

    /**
     * Notes {@code state} seen at {@code now}; returns when it last changed (now, if it just did).
     */
    public long since(Object state, long now) {
      if (!state.equals(last)) {
        last = state;
        since = now;
      }
      return since;
    }
  }
}

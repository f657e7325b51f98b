package io.omnirouter.core.routing;

import io.omnirouter.core.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A router's decision, with why: the strategy, the eligible candidates with their loads at that
 * moment, and the rule that decided. {@code freeFormOpen} is false when the conversation's
 * free-form window had closed while it waited (the agent must use a template or another channel).
 */
public record Assignment(
    String conversationId,
    long episode,
    String agentId,
    String team,
    Reason reason,
    boolean freeFormOpen,
    Instant at)
    implements CborSerializable {

  public record Candidate(String agentId, int load, int capacity) implements CborSerializable {}

  /**
   * Why this agent: the strategy, the rule that decided, and the candidates — the chosen agent and
   * the least-loaded others, at most {@link #MAX_CANDIDATES} (with a thousand agents online,
   * listing all of them made every assignment event ~50 KB); {@code eligible} counts them all.
   */
  public record Reason(String strategy, List<Candidate> candidates, String rule, int eligible)
      implements CborSerializable {
    public static final int MAX_CANDIDATES = 10;

    public Reason {
      candidates = List.copyOf(candidates);
      eligible = Math.max(eligible, candidates.size()); // events written before the count: 0
    }

    public Reason(String strategy, List<Candidate> candidates, String rule) {
      this(strategy, candidates, rule, candidates.size());
    }
  }
}

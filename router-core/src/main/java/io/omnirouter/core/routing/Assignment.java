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

  public record Reason(String strategy, List<Candidate> candidates, String rule)
      implements CborSerializable {
    public Reason {
      candidates = List.copyOf(candidates);
    }
  }
}

package io.omnirouter.core.routing;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a team picks one agent among the eligible ones. Pure: the choice depends only on the
 * arguments. {@code eligible} is sorted by agent id and never empty.
 */
public enum Strategy {
  /** Fewest conversations; a tie goes to the agent idle the longest (never assigned first). */
  LEAST_LOADED {
    @Override
    Optional<Choice> choose(QueuedConversation c, List<AgentView> eligible, String lastPicked) {
      AgentView best = eligible.stream().min(LEAST_LOADED_ORDER).orElseThrow();
      int minLoad = best.load();
      long tied = eligible.stream().filter(a -> a.load() == minLoad).count();
      String rule =
          tied == 1
              ? "lowest load " + minLoad
              : "lowest load " + minLoad + ", longest idle of " + tied;
      return Optional.of(new Choice(best.agentId(), rule));
    }
  },
  /** The next eligible agent after the one picked last, in agent-id order. */
  ROUND_ROBIN {
    @Override
    Optional<Choice> choose(QueuedConversation c, List<AgentView> eligible, String lastPicked) {
      AgentView next =
          eligible.stream()
              .filter(a -> lastPicked == null || a.agentId().compareTo(lastPicked) > 0)
              .findFirst()
              .orElse(eligible.get(0));
      return Optional.of(new Choice(next.agentId(), "next in turn after " + lastPicked));
    }
  },
  /** The agent who served this contact before when eligible; otherwise least-loaded. */
  STICKY {
    @Override
    Optional<Choice> choose(QueuedConversation c, List<AgentView> eligible, String lastPicked) {
      if (c.previousAgent() != null
          && eligible.stream().anyMatch(a -> a.agentId().equals(c.previousAgent()))) {
        return Optional.of(new Choice(c.previousAgent(), "previous agent of this contact"));
      }
      return LEAST_LOADED
          .choose(c, eligible, lastPicked)
          .map(ch -> new Choice(ch.agentId(), "previous agent unavailable; " + ch.rule()));
    }
  },
  /** Never assigns: conversations wait until an agent claims one. */
  MANUAL {
    @Override
    Optional<Choice> choose(QueuedConversation c, List<AgentView> eligible, String lastPicked) {
      return Optional.empty();
    }
  };

  static final Comparator<AgentView> LEAST_LOADED_ORDER =
      Comparator.comparingInt(AgentView::load)
          .thenComparing(
              AgentView::lastAssignedAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
          .thenComparing(AgentView::agentId);

  public record Choice(String agentId, String rule) {}

  abstract Optional<Choice> choose(
      QueuedConversation c, List<AgentView> eligible, String lastPicked);

  public String key() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Strategy fromKey(String key) {
    return valueOf(key.toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}

package io.omnirouter.loadtest.agents;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Queued → assigned agent has it, per conversation episode. The queued time is the router's (the
 * {@code conversation.queued} event's {@code at}, heard on the supervisor's stream); the end is
 * when the assigned agent's own stream delivers {@code conversation.assigned} — two connections, so
 * either may be heard first, and whichever comes second completes the pair. The two clocks are the
 * same machine's (load goes to 127.0.0.1 only).
 */
final class AssignmentTimes {

  private final Map<String, Instant> queued = new HashMap<>();
  private final Map<String, Instant> seen = new HashMap<>();

  /** The episode was queued at {@code at}: its time if its agent already has it. */
  synchronized Optional<Duration> queued(String conversation, long episode, Instant at) {
    String key = conversation + '#' + episode;
    Instant agentHadIt = seen.remove(key);
    if (agentHadIt != null) {
      return Optional.of(Duration.between(at, agentHadIt));
    }
    queued.put(key, at);
    return Optional.empty();
  }

  /** The assigned agent heard of the episode at {@code at}: its time if its queueing was heard. */
  synchronized Optional<Duration> agentHasIt(String conversation, long episode, Instant at) {
    String key = conversation + '#' + episode;
    Instant queuedAt = queued.remove(key);
    if (queuedAt != null) {
      return Optional.of(Duration.between(queuedAt, at));
    }
    seen.put(key, at);
    return Optional.empty();
  }
}

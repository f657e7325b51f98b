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
    return other(conversation, episode, at, queued, seen)
        .map(seenAt -> Duration.between(at, seenAt));
  }

  /** The assigned agent heard of the episode at {@code at}: its time if its queueing was heard. */
  synchronized Optional<Duration> agentHasIt(String conversation, long episode, Instant at) {
    return other(conversation, episode, at, seen, queued)
        .map(queuedAt -> Duration.between(queuedAt, at));
  }

  /** The other end's time if it was heard (and forgets it); else keeps this end's. */
  private static Optional<Instant> other(
      String conversation,
      long episode,
      Instant at,
      Map<String, Instant> thisEnd,
      Map<String, Instant> otherEnd) {
    String key = conversation + '#' + episode;
    Instant other = otherEnd.remove(key);
    if (other == null) {
      thisEnd.put(key, at);
    }
    return Optional.ofNullable(other);
  }
}

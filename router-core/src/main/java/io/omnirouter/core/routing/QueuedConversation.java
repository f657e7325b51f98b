package io.omnirouter.core.routing;

import io.omnirouter.core.CborSerializable;
import java.time.Instant;
import java.util.Comparator;
import java.util.Set;

/**
 * A conversation waiting in a team queue.
 *
 * @param episode the conversation's assignment episode; an assignment for an older one is stale
 * @param windowClosesAt when its free-form reply window closes; null if it has none
 * @param previousAgent the agent who served this contact before (for sticky routing), or null
 * @param requestedAgent only this agent may take it (a transfer to an agent), or null
 */
public record QueuedConversation(
    String conversationId,
    long episode,
    int priority,
    Instant windowClosesAt,
    Instant queuedAt,
    String language,
    Set<String> requiredSkills,
    String previousAgent,
    String requestedAgent)
    implements CborSerializable {

  public QueuedConversation {
    requiredSkills = Set.copyOf(requiredSkills);
  }

  /** Queue order: higher priority, then the soonest-closing window, then the longest wait. */
  public static final Comparator<QueuedConversation> QUEUE_ORDER =
      Comparator.comparingInt(QueuedConversation::priority)
          .reversed()
          .thenComparing(
              QueuedConversation::windowClosesAt, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparing(QueuedConversation::queuedAt)
          .thenComparing(QueuedConversation::conversationId);
}

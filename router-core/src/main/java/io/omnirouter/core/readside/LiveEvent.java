package io.omnirouter.core.readside;

import io.omnirouter.core.CborSerializable;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * One event of a workspace's live stream. The same journal event always gives the same {@code id}
 * (pushed live or replayed from the stream table), so a client can drop repeats by id.
 *
 * @param id {@code <13-digit epoch millis>-<journal sequence nr>-<conversation id>}: sorts by time
 * @param agents who sees it on an agent stream: the assignee before and after the event
 * @param data the event as a JSON object
 */
public record LiveEvent(
    String id,
    String workspace,
    String conversationId,
    long sequenceNr,
    String type,
    Set<String> agents,
    Instant at,
    String data)
    implements CborSerializable {

  public LiveEvent {
    agents = Set.copyOf(agents);
  }

  public static String id(Instant at, long sequenceNr, String conversationId) {
    return String.format(Locale.ROOT, "%013d-%d-%s", at.toEpochMilli(), sequenceNr, conversationId);
  }

  /** The time part of an id, or null if {@code id} is not one of ours. */
  public static Instant timeOf(String id) {
    if (id == null || id.length() < 15 || id.charAt(13) != '-') {
      return null;
    }
    try {
      return Instant.ofEpochMilli(Long.parseLong(id.substring(0, 13)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public boolean visibleTo(String agentId) {
    return agents.contains(agentId);
  }
}

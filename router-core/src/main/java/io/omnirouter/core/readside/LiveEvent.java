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

  /** A key that sorts before every id of {@code at} and after every earlier one. */
  public static String floor(Instant at) {
    return String.format(Locale.ROOT, "%013d", at.toEpochMilli());
  }

  private static final java.util.regex.Pattern ID =
      java.util.regex.Pattern.compile("(\\d{13})-(\\d{1,18})-(.+)");

  /** The time part of an id, or null if {@code id} is not one of ours. */
  public static Instant timeOf(String id) {
    var m = id == null ? null : ID.matcher(id);
    return m != null && m.matches() ? Instant.ofEpochMilli(Long.parseLong(m.group(1))) : null;
  }

  /** The journal sequence number in one of our ids. */
  public static long sequenceOf(String id) {
    var m = ID.matcher(id);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an event id: " + id);
    }
    return Long.parseLong(m.group(2));
  }

  /** The conversation (entity id) in one of our ids. */
  public static String conversationOf(String id) {
    var m = ID.matcher(id);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an event id: " + id);
    }
    return m.group(3);
  }

  public boolean visibleTo(String agentId) {
    return agents.contains(agentId);
  }
}

package io.omnirouter.server.api;

import io.omnirouter.core.contact.Contact;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.routing.Assignment;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** A conversation on the wire: the API's shape, mapped from the entity's summary (never events). */
public record ConversationView(
    String id,
    String status,
    long episode,
    String team,
    String assignee,
    int priority,
    Set<String> tags,
    long messageCount,
    Map<String, Window> windows,
    boolean windowClosedWhileQueued,
    Instant snoozedUntil,
    List<AssignmentView> assignments,
    Map<String, String> replies,
    Contact.Summary contact) {

  /** Per channel: may a free-form reply go out now, until when, and what else is allowed. */
  public record Window(
      boolean freeFormAllowed,
      String reason,
      Instant freeFormUntil,
      Instant closedAt,
      String fallback,
      Instant lastCustomerMessageAt) {}

  public record AssignmentView(
      String agent,
      String team,
      String strategy,
      String rule,
      List<Assignment.Candidate> candidates,
      boolean freeFormOpen,
      Instant at) {}

  /** Without the contact (action answers: the caller has it from the detail). */
  static ConversationView of(String contactId, Conversation.Summary s) {
    return of(contactId, s, null);
  }

  static ConversationView of(String contactId, Conversation.Summary s, Contact.Summary contact) {
    Map<String, Window> windows = new LinkedHashMap<>();
    s.freeFormWindows()
        .forEach(
            (ch, d) ->
                windows.put(
                    ch.key(),
                    new Window(
                        d.allowed(),
                        lower(d.reason()),
                        d.freeFormUntil(),
                        d.closedAt(),
                        lower(d.fallback()),
                        s.lastInboundAt().get(ch))));
    List<AssignmentView> assignments =
        s.recentAssignments().stream()
            .map(
                a ->
                    new AssignmentView(
                        a.agentId(),
                        a.team(),
                        a.reason().strategy(),
                        a.reason().rule(),
                        a.reason().candidates(),
                        a.freeFormOpen(),
                        a.at()))
            .toList();
    return new ConversationView(
        contactId,
        lower(s.status()),
        s.episode(),
        s.team(),
        s.assignee(),
        s.priority(),
        s.tags(),
        s.messageCount(),
        windows,
        s.windowClosedWhileQueued(),
        s.snoozedUntil(),
        assignments,
        s.replyStates(),
        contact);
  }

  private static String lower(Enum<?> e) {
    return e == null ? null : e.name().toLowerCase(Locale.ROOT);
  }
}

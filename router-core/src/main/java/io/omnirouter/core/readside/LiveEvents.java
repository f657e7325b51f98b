package io.omnirouter.core.readside;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.omnirouter.core.EntityIds;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.conversation.Conversation.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns conversation events into live-stream events. Pure: the conversation entity uses it right
 * after a write, the projection uses it to fill the stream table, and both give the same result.
 */
public final class LiveEvents {
  private static final ObjectMapper JSON =
      new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private LiveEvents() {}

  /**
   * The types of the events that change a conversation's status (a message, note or tag does not).
   */
  public static final Set<String> STATUS_CHANGES =
      Set.of(
          "conversation.queued",
          "conversation.assigned",
          "conversation.unassigned",
          "conversation.resolved",
          "conversation.snoozed",
          "conversation.pending",
          "conversation.woke");

  /** Events persisted together as journal numbers {@code firstSequenceNr…}, in order. */
  public static List<LiveEvent> of(
      String conversationId, long firstSequenceNr, List<Event> events, String assigneeBefore) {
    List<LiveEvent> out = new ArrayList<>(events.size());
    String assignee = assigneeBefore;
    long seq = firstSequenceNr;
    for (Event e : events) {
      out.add(of(conversationId, seq++, e, assignee));
      assignee = ConversationDigest.assigneeAfter(assignee, e);
    }
    return out;
  }

  public static LiveEvent of(
      String conversationId, long sequenceNr, Event event, String assigneeBefore) {
    String after = ConversationDigest.assigneeAfter(assigneeBefore, event);
    Set<String> agents = new HashSet<>();
    if (assigneeBefore != null) {
      agents.add(assigneeBefore);
    }
    if (after != null) {
      agents.add(after);
    }
    Instant at = ConversationDigest.timeOf(event);
    ObjectNode data = JSON.createObjectNode();
    data.put("conversationId", EntityIds.local(conversationId));
    data.put("sequenceNr", sequenceNr);
    data.put("at", at.toString());
    String status = ConversationDigest.statusAfter(event);
    if (status != null) {
      data.put("status", status);
    }
    if (after != null) {
      data.put("assignee", after);
    }
    String type = describe(event, data);
    return new LiveEvent(
        LiveEvent.id(at, sequenceNr, conversationId),
        EntityIds.workspace(conversationId),
        conversationId,
        sequenceNr,
        type,
        agents,
        at,
        data.toString());
  }

  /**
   * A warning that a conversation's free-form window on {@code channel} closes at {@code closesAt}
   * (not a journal event: the window watch derives it from the read side). Its id carries the
   * conversation's last journal number, so it sorts after what led to it.
   */
  public static LiveEvent windowClosing(
      String conversationId,
      long lastSequenceNr,
      String channel,
      Instant closesAt,
      String assignee,
      Instant at) {
    ObjectNode data = JSON.createObjectNode();
    data.put("conversationId", EntityIds.local(conversationId));
    data.put("sequenceNr", lastSequenceNr);
    data.put("at", at.toString());
    data.put("channel", channel);
    data.put("closesAt", closesAt.toString());
    if (assignee != null) {
      data.put("assignee", assignee);
    }
    return new LiveEvent(
        LiveEvent.id(at, lastSequenceNr, conversationId),
        EntityIds.workspace(conversationId),
        conversationId,
        lastSequenceNr,
        "window.closing",
        assignee == null ? Set.of() : Set.of(assignee),
        at,
        data.toString());
  }

  /** Fills {@code data} with the event's fields; returns the stream event type. */
  private static String describe(Event event, ObjectNode data) {
    if (event instanceof Conversation.MessageReceived e) {
      var m = e.message();
      data.put("sequence", e.sequence());
      data.put("direction", "in");
      data.put("channel", m.channel().key());
      data.put("providerMessageId", m.providerMessageId());
      data.put("sender", m.senderId());
      data.put("text", m.text());
      data.set("content", JSON.valueToTree(m.content()));
      return "message.received";
    } else if (event instanceof Conversation.ReplyQueued e) {
      data.put("sequence", e.sequence());
      data.put("direction", "out");
      data.put("messageId", e.messageId());
      data.put("channel", e.channel().key());
      data.put("by", e.by());
      data.put("text", e.content().text());
      data.set("content", JSON.valueToTree(e.content()));
      data.put("state", Conversation.replyStateAfter(e));
      return "message.sent";
    } else if (event instanceof Conversation.NoteAdded e) {
      data.put("sequence", e.sequence());
      data.put("direction", "note");
      data.put("text", e.text());
      data.put("by", e.by());
      return "note.added";
    } else if (event instanceof Conversation.Queued e) {
      data.put("team", e.team());
      data.put("episode", e.episode());
      data.put("cause", e.cause());
      data.put("requestedAgent", e.requestedAgent());
      data.put("comment", e.comment());
      data.put("by", e.by());
      return "conversation.queued";
    } else if (event instanceof Conversation.AgentAssigned e) {
      var a = e.assignment();
      data.put("agent", a.agentId());
      data.put("team", a.team());
      data.put("episode", a.episode());
      data.put("strategy", a.reason().strategy());
      data.put("rule", a.reason().rule());
      return "conversation.assigned";
    } else if (event instanceof Conversation.AgentUnassigned e) {
      data.put("agent", e.agentId());
      data.put("reason", e.reason());
      data.put("by", e.by());
      return "conversation.unassigned";
    } else if (event instanceof Conversation.Resolved e) {
      data.put("by", e.by());
      return "conversation.resolved";
    } else if (event instanceof Conversation.Snoozed e) {
      data.put("until", e.until().toString());
      data.put("by", e.by());
      return "conversation.snoozed";
    } else if (event instanceof Conversation.MarkedPending e) {
      data.put("by", e.by());
      return "conversation.pending";
    } else if (event instanceof Conversation.Woke e) {
      data.put("cause", e.cause());
      return "conversation.woke";
    } else if (event instanceof Conversation.PriorityChanged e) {
      data.put("priority", e.priority());
      data.put("by", e.by());
      return "conversation.priority";
    } else if (event instanceof Conversation.TagsChanged e) {
      data.set("tags", JSON.valueToTree(e.tags()));
      return "conversation.tags";
    } else if (event instanceof Conversation.WindowExpiredWhileQueued e) {
      data.put("episode", e.episode());
      data.put("closedAt", e.closedAt().toString());
      return "window.expired";
    } else if (event instanceof Conversation.OptOutChanged e) {
      data.put("channel", e.channel().key());
      data.put("optedOut", e.optedOut());
      return "contact.opt-out";
    } else if (event instanceof Conversation.ReplySent e) {
      data.put("messageId", e.messageId());
      data.put("providerMessageId", e.providerMessageId());
    } else if (event instanceof Conversation.ReplyFailed e) {
      data.put("messageId", e.messageId());
      data.put("error", e.error().code());
    } else if (event instanceof Conversation.ReplyDeliveryUpdated e) {
      data.put("messageId", e.messageId());
    } else {
      throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }
    data.put("state", Conversation.replyStateAfter(event));
    return "message.state";
  }
}

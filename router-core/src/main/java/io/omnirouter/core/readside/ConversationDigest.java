package io.omnirouter.core.readside;

import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.EntityIds;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.conversation.Conversation.Event;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a conversation list shows of one conversation, folded from its events in journal order: the
 * read side's row. {@link #apply} skips events at or below {@code lastSequenceNr}, so projecting an
 * event twice (at-least-once delivery) changes nothing.
 */
public record ConversationDigest(
    String conversationId,
    String status,
    String team,
    String assignee,
    int priority,
    Set<String> tags,
    Set<String> channels,
    Map<String, Instant> lastInboundAt,
    Instant createdAt,
    Instant updatedAt,
    String lastMessage,
    long messageCount,
    long lastSequenceNr)
    implements CborSerializable {

  /** How much of the last message a list row keeps. */
  public static final int PREVIEW = 200;

  public ConversationDigest {
    tags = Set.copyOf(tags);
    channels = Set.copyOf(channels);
    lastInboundAt = Map.copyOf(lastInboundAt);
  }

  public static ConversationDigest empty(String conversationId) {
    return new ConversationDigest(
        conversationId, "new", null, null, 0, Set.of(), Set.of(), Map.of(), null, null, null, 0, 0);
  }

  public String workspace() {
    return EntityIds.workspace(conversationId);
  }

  public String contactId() {
    return EntityIds.local(conversationId);
  }

  public ConversationDigest apply(long sequenceNr, Event event) {
    if (sequenceNr <= lastSequenceNr) {
      return this;
    }
    Instant at = timeOf(event);
    var d = new Builder(this);
    d.lastSequenceNr = sequenceNr;
    d.updatedAt = at;
    if (d.createdAt == null) {
      d.createdAt = at;
    }
    d.assignee = assigneeAfter(assignee, event);
    String status = statusAfter(event);
    if (status != null) {
      d.status = status;
    }
    if (event instanceof Conversation.MessageReceived e) {
      String channel = e.message().channel().key();
      d.channels.add(channel);
      // as the entity keeps it: the customer's latest message time on that channel opens the window
      d.lastInboundAt.merge(channel, e.message().receivedAt(), (a, b) -> b.isAfter(a) ? b : a);
      d.lastMessage = preview(e.message().text());
      d.messageCount = Math.max(d.messageCount, e.sequence());
    } else if (event instanceof Conversation.ReplyQueued e) {
      d.lastMessage = preview(e.content().text());
      d.messageCount = Math.max(d.messageCount, e.sequence());
    } else if (event instanceof Conversation.NoteAdded e) {
      d.messageCount = Math.max(d.messageCount, e.sequence());
    } else if (event instanceof Conversation.Queued e) {
      d.team = e.team();
    } else if (event instanceof Conversation.AgentAssigned e) {
      d.team = e.assignment().team();
    } else if (event instanceof Conversation.PriorityChanged e) {
      d.priority = e.priority();
    } else if (event instanceof Conversation.TagsChanged e) {
      d.tags = new LinkedHashSet<>(e.tags());
    }
    return d.build();
  }

  /** Who has the conversation after {@code event}, as the entity's own state says. */
  public static String assigneeAfter(String before, Event event) {
    if (event instanceof Conversation.AgentAssigned e) {
      return e.assignment().agentId();
    }
    if (event instanceof Conversation.AgentUnassigned
        || event instanceof Conversation.Queued
        || event instanceof Conversation.Resolved) {
      return null;
    }
    return before;
  }

  /** The status {@code event} moves the conversation to, or null if it does not change it. */
  public static String statusAfter(Event event) {
    Conversation.Status s = null;
    if (event instanceof Conversation.Queued) {
      s = Conversation.Status.QUEUED;
    } else if (event instanceof Conversation.AgentAssigned || event instanceof Conversation.Woke) {
      s = Conversation.Status.ASSIGNED;
    } else if (event instanceof Conversation.Resolved) {
      s = Conversation.Status.RESOLVED;
    } else if (event instanceof Conversation.Snoozed) {
      s = Conversation.Status.SNOOZED;
    } else if (event instanceof Conversation.MarkedPending) {
      s = Conversation.Status.PENDING;
    }
    return s == null ? null : s.name().toLowerCase(Locale.ROOT);
  }

  /** When we recorded {@code event} (our clock, never a provider's). */
  public static Instant timeOf(Event event) {
    if (event instanceof Conversation.MessageReceived e) {
      return e.at();
    } else if (event instanceof Conversation.Queued e) {
      return e.at();
    } else if (event instanceof Conversation.AgentAssigned e) {
      return e.assignment().at();
    } else if (event instanceof Conversation.AgentUnassigned e) {
      return e.at();
    } else if (event instanceof Conversation.Resolved e) {
      return e.at();
    } else if (event instanceof Conversation.Snoozed e) {
      return e.at();
    } else if (event instanceof Conversation.MarkedPending e) {
      return e.at();
    } else if (event instanceof Conversation.Woke e) {
      return e.at();
    } else if (event instanceof Conversation.PriorityChanged e) {
      return e.at();
    } else if (event instanceof Conversation.TagsChanged e) {
      return e.at();
    } else if (event instanceof Conversation.NoteAdded e) {
      return e.at();
    } else if (event instanceof Conversation.ReplyQueued e) {
      return e.at();
    } else if (event instanceof Conversation.WindowExpiredWhileQueued e) {
      return e.at();
    } else if (event instanceof Conversation.OptOutChanged e) {
      return e.at();
    } else if (event instanceof Conversation.ReplySent e) {
      return e.at();
    } else if (event instanceof Conversation.ReplyFailed e) {
      return e.at();
    } else if (event instanceof Conversation.ReplyDeliveryUpdated e) {
      return e.at();
    }
    throw new IllegalArgumentException("unknown event " + event.getClass().getName());
  }

  /**
   * The first {@link #PREVIEW} chars, never half of a surrogate pair: a lone half is a string no
   * UTF-8 encoder takes, and the list row carrying it failed to write for ever (an emoji at 200).
   */
  static String preview(String text) {
    return io.omnirouter.core.model.Text.prefix(text, PREVIEW);
  }

  /** A working copy for one {@link #apply}; never escapes it. */
  private static final class Builder {
    final String conversationId;
    String status;
    String team;
    String assignee;
    int priority;
    Set<String> tags;
    final Set<String> channels;
    final Map<String, Instant> lastInboundAt;
    Instant createdAt;
    Instant updatedAt;
    String lastMessage;
    long messageCount;
    long lastSequenceNr;

    Builder(ConversationDigest d) {
      conversationId = d.conversationId;
      status = d.status;
      team = d.team;
      assignee = d.assignee;
      priority = d.priority;
      tags = d.tags;
      channels = new LinkedHashSet<>(d.channels);
      lastInboundAt = new HashMap<>(d.lastInboundAt);
      createdAt = d.createdAt;
      updatedAt = d.updatedAt;
      lastMessage = d.lastMessage;
      messageCount = d.messageCount;
      lastSequenceNr = d.lastSequenceNr;
    }

    ConversationDigest build() {
      return new ConversationDigest(
          conversationId,
          status,
          team,
          assignee,
          priority,
          tags,
          channels,
          lastInboundAt,
          createdAt,
          updatedAt,
          lastMessage,
          messageCount,
          lastSequenceNr);
    }
  }
}

package io.omnirouter.persistence.readside;

import io.omnirouter.core.conversation.Conversation;

/** The message-table row of a conversation event, where it has one. */
public final class MessageRows {
  private MessageRows() {}

  /** A customer message, our reply or a note as a row; null for other events. */
  public static ReadSideStore.MessageRow of(String conversationId, Conversation.Event event) {
    if (event instanceof Conversation.MessageReceived e) {
      var m = e.message();
      return new ReadSideStore.MessageRow(
          conversationId,
          e.sequence(),
          "in",
          m.channel().key(),
          m.providerMessageId(),
          m.senderId(),
          m.text(),
          ReadSideStore.toJson(m.content()),
          e.at(),
          null);
    } else if (event instanceof Conversation.ReplyQueued e) {
      return new ReadSideStore.MessageRow(
          conversationId,
          e.sequence(),
          "out",
          e.channel().key(),
          e.messageId(),
          e.by(),
          e.content().text(),
          ReadSideStore.toJson(e.content()),
          e.at(),
          "queued");
    } else if (event instanceof Conversation.NoteAdded e) {
      return new ReadSideStore.MessageRow(
          conversationId, e.sequence(), "note", null, null, e.by(), e.text(), null, e.at(), null);
    }
    return null;
  }

  /** The id of our message a reply event is about. */
  static String replyId(Conversation.Event event) {
    if (event instanceof Conversation.ReplyQueued e) {
      return e.messageId();
    } else if (event instanceof Conversation.ReplySent e) {
      return e.messageId();
    } else if (event instanceof Conversation.ReplyFailed e) {
      return e.messageId();
    } else if (event instanceof Conversation.ReplyDeliveryUpdated e) {
      return e.messageId();
    }
    throw new IllegalArgumentException("not a reply event: " + event);
  }
}

package io.omnirouter.core.model;

import io.omnirouter.core.CborSerializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A customer message as normalized from a provider webhook.
 *
 * @param providerMessageId the provider's id; with {@code channel} it is the dedup key
 * @param senderId the customer's id on that channel (phone number, openid, e-mail address…)
 * @param text a plain-text rendering (the text, caption or summary) for lists and notifications
 * @param replyToken a short-lived handle to answer this message for free (LINE), or null
 */
public record InboundMessage(
    Channel channel,
    String channelAccount,
    String providerMessageId,
    String senderId,
    String text,
    Instant receivedAt,
    MessageContent content,
    String replyToken)
    implements CborSerializable {

  public InboundMessage {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(providerMessageId, "providerMessageId");
    Objects.requireNonNull(senderId, "senderId");
    Objects.requireNonNull(receivedAt, "receivedAt");
    if (content == null) {
      content = MessageContent.text(text);
    }
  }

  public InboundMessage(
      Channel channel,
      String channelAccount,
      String providerMessageId,
      String senderId,
      String text,
      Instant receivedAt,
      MessageContent content) {
    this(channel, channelAccount, providerMessageId, senderId, text, receivedAt, content, null);
  }

  /** A plain text message. */
  public InboundMessage(
      Channel channel,
      String channelAccount,
      String providerMessageId,
      String senderId,
      String text,
      Instant receivedAt) {
    this(
        channel,
        channelAccount,
        providerMessageId,
        senderId,
        text,
        receivedAt,
        MessageContent.text(text),
        null);
  }

  public String dedupKey() {
    return channel.key() + ":" + providerMessageId;
  }
}

package io.omnirouter.core.model;

import io.omnirouter.core.CborSerializable;
import java.util.List;

/**
 * A reply to send through a provider. {@code messageId} is ours and is the idempotency key: a
 * resend after a crash carries the same one. {@code thread} and {@code subject} thread e-mail.
 */
public record OutboundRequest(
    String conversationId,
    String messageId,
    Channel channel,
    String channelAccount,
    String recipient,
    OutboundContent content,
    int attempt,
    List<String> thread,
    String subject,
    String replyToken)
    implements CborSerializable {

  public OutboundRequest {
    thread = thread == null ? List.of() : List.copyOf(thread);
  }

  public OutboundRequest nextAttempt() {
    return new OutboundRequest(
        conversationId,
        messageId,
        channel,
        channelAccount,
        recipient,
        content,
        attempt + 1,
        thread,
        subject,
        replyToken);
  }
}

package io.omnirouter.core.model;

import io.omnirouter.core.CborSerializable;

/**
 * A reply to send through a provider. {@code messageId} is ours and is the idempotency key: a
 * resend after a crash carries the same one.
 */
public record OutboundRequest(
    String conversationId,
    String messageId,
    Channel channel,
    String channelAccount,
    String recipient,
    OutboundContent content,
    int attempt)
    implements CborSerializable {}

package io.omnirouter.core.model;

import java.time.Instant;
import java.util.List;

/** What one webhook carried, normalized: customer messages, delivery statuses, channel events. */
public sealed interface Inbound {

  /**
   * @param hints other identity keys the message reveals (a phone, an e-mail), for contact linking
   * @param displayName the customer's profile name where the provider sends one
   */
  record Message(InboundMessage message, List<String> hints, String displayName)
      implements Inbound {
    public Message {
      hints = List.copyOf(hints);
    }
  }

  /** A delivery status of a message we sent. */
  record Status(
      String providerMessageId,
      String recipient,
      DeliveryStatus status,
      Instant at,
      ProviderError error)
      implements Inbound {}

  /**
   * Subscribe/unsubscribe, a menu click or postback without a message, opt-out keywords…
   *
   * @param providerEventId unique per event where the provider has one (for dedup), else null
   */
  record Event(String kind, String senderId, String payload, String providerEventId, Instant at)
      implements Inbound {}

  enum DeliveryStatus {
    SENT,
    DELIVERED,
    READ,
    FAILED
  }
}

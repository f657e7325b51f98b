package io.omnirouter.connectors.spi;

import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One channel's inbound side: verify a webhook over its raw bytes, then parse it into normalized
 * events. Pure and synchronous (the bytes are already in memory), so each channel is tested on its
 * own with payloads shaped exactly as the provider sends them.
 */
public interface ChannelConnector {
  Channel channel();

  /** Fails at start when the account lacks a setting this channel needs. */
  void validate(AccountSettings account);

  /** 401 unless the request is signed by (or carries the token of) this account's provider. */
  void verify(WebhookRequest request, AccountSettings account) throws WebhookException;

  /** 400 unless the body is a payload of this provider. Called only after {@link #verify}. */
  List<Inbound> parse(WebhookRequest request, AccountSettings account, Instant receivedAt)
      throws WebhookException;

  /** Called after the request was answered 2xx (everything in it is stored). */
  default void acknowledged(WebhookRequest request, AccountSettings account) {}

  /** The body to answer with once everything is stored (WeChat wants "success"). */
  default String acknowledgement() {
    return "";
  }

  /** The provider's GET handshake, if it has one: the body to echo back. */
  default Optional<String> handshake(WebhookRequest request, AccountSettings account)
      throws WebhookException {
    return Optional.empty();
  }
}

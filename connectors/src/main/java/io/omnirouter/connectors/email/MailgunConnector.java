package io.omnirouter.connectors.email;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelConnector;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.support.Forms;
import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.MessageContent;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Inbound e-mail posted by Mailgun routes (multipart or url-encoded). Signature: hex
 * HMAC-SHA256(webhook signing key, timestamp + token); the timestamp must be fresh and a token is
 * accepted once (after its message was stored), so a captured request cannot be replayed. The
 * provider id is the Message-ID; In-Reply-To and References are kept for threading.
 */
public final class MailgunConnector implements ChannelConnector {
  private final Clock clock;
  private final ReplayGuard replays;

  public MailgunConnector(Clock clock, ReplayGuard replays) {
    this.clock = clock;
    this.replays = replays;
  }

  @Override
  public Channel channel() {
    return Channel.EMAIL;
  }

  @Override
  public void validate(AccountSettings account) {
    account.require("signing-key");
  }

  @Override
  public void verify(WebhookRequest request, AccountSettings account) throws WebhookException {
    Map<String, String> f;
    try {
      f = Forms.parse(request.contentType(), request.body());
    } catch (WebhookException e) {
      throw WebhookException.unauthorized("cannot verify: " + e.getMessage());
    }
    String timestamp = f.get("timestamp");
    String token = f.get("token");
    String signature = f.get("signature");
    if (timestamp == null || token == null || signature == null) {
      throw WebhookException.unauthorized("missing timestamp, token or signature");
    }
    String expected =
        Signatures.hmacSha256Hex(
            account.require("signing-key"), (timestamp + token).getBytes(StandardCharsets.UTF_8));
    if (!Signatures.equal(expected, signature)) {
      throw WebhookException.unauthorized("signature does not match");
    }
    Duration maxAge = Duration.parse("PT" + account.optional("max-age", "300") + "S");
    Instant sent;
    try {
      sent = Instant.ofEpochSecond(Long.parseLong(timestamp));
    } catch (NumberFormatException e) {
      throw WebhookException.unauthorized("bad timestamp");
    }
    if (Duration.between(sent, clock.instant()).abs().compareTo(maxAge) > 0) {
      throw WebhookException.unauthorized("timestamp is not fresh");
    }
    if (replays.seen(account.workspace() + "/" + token)) {
      throw WebhookException.unauthorized("token already used");
    }
  }

  @Override
  public void acknowledged(WebhookRequest request, AccountSettings account) {
    try {
      replays.remember(
          account.workspace()
              + "/"
              + Forms.parse(request.contentType(), request.body()).get("token"));
    } catch (WebhookException e) {
      // verified and parsed before; cannot happen
    }
  }

  @Override
  public List<Inbound> parse(WebhookRequest request, AccountSettings account, Instant now)
      throws WebhookException {
    Map<String, String> f = Forms.parse(request.contentType(), request.body());
    String fromHeader = f.getOrDefault("from", f.get("sender"));
    if (fromHeader == null) {
      throw WebhookException.malformed("missing from");
    }
    InternetAddress from;
    try {
      from = new InternetAddress(fromHeader, false);
    } catch (AddressException e) {
      throw WebhookException.malformed("bad from address");
    }
    String messageId = f.getOrDefault("Message-Id", f.get("message-id"));
    if (messageId == null || messageId.isBlank()) {
      throw WebhookException.malformed("missing Message-Id");
    }
    String body = f.getOrDefault("stripped-text", f.getOrDefault("body-plain", ""));
    List<String> references =
        Arrays.stream(f.getOrDefault("References", "").trim().split("\\s+"))
            .filter(s -> !s.isBlank())
            .toList();
    MessageContent content =
        MessageContent.email(
            f.get("subject"), body, messageId.trim(), f.get("In-Reply-To"), references);
    String address = from.getAddress().toLowerCase(java.util.Locale.ROOT);
    var msg =
        new InboundMessage(
            Channel.EMAIL, account.account(), messageId.trim(), address, body, now, content);
    return List.of(new Inbound.Message(msg, hints(address, content), from.getPersonal()));
  }

  private static List<String> hints(String address, MessageContent content) {
    List<String> refs = new java.util.ArrayList<>(content.references());
    if (content.inReplyTo() != null) {
      refs.add(0, content.inReplyTo());
    }
    List<String> hints = new java.util.ArrayList<>();
    OurMessageIds.contactIn(refs).ifPresent(c -> hints.add(IdentityKey.CONTACT_PREFIX + c));
    hints.add(IdentityKey.email(address));
    return hints;
  }
}

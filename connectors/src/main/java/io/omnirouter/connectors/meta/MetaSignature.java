package io.omnirouter.connectors.meta;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.support.Signatures;
import java.util.Optional;

/**
 * Meta's webhook security, shared by WhatsApp Cloud API, Messenger and Instagram: {@code
 * X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>}, and the subscription
 * handshake {@code hub.mode=subscribe & hub.verify_token} echoing {@code hub.challenge}.
 */
public final class MetaSignature {
  private MetaSignature() {}

  public static void verify(WebhookRequest request, AccountSettings account)
      throws WebhookException {
    String header =
        request
            .header("X-Hub-Signature-256")
            .orElseThrow(() -> WebhookException.unauthorized("missing X-Hub-Signature-256"));
    if (!header.startsWith("sha256=")) {
      throw WebhookException.unauthorized("X-Hub-Signature-256 must start with sha256=");
    }
    String expected = Signatures.hmacSha256Hex(account.require("app-secret"), request.body());
    if (!Signatures.equal(
        expected, header.substring("sha256=".length()).toLowerCase(java.util.Locale.ROOT))) {
      throw WebhookException.unauthorized("signature does not match the body");
    }
  }

  public static Optional<String> handshake(WebhookRequest request, AccountSettings account)
      throws WebhookException {
    String mode = request.queryParam("hub.mode").orElse("");
    String token = request.queryParam("hub.verify_token").orElse(null);
    String challenge = request.queryParam("hub.challenge").orElse(null);
    if (!"subscribe".equals(mode) || challenge == null) {
      throw WebhookException.malformed("expected hub.mode=subscribe with hub.challenge");
    }
    if (!Signatures.equal(account.require("verify-token"), token)) {
      throw WebhookException.forbidden("hub.verify_token does not match");
    }
    return Optional.of(challenge);
  }

  public static void validate(AccountSettings account) {
    account.require("app-secret");
    account.require("verify-token");
  }
}

package io.omnirouter.loadtest.capture;

import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.support.Forms;
import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.connectors.twilio.TwilioConnector;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs a capture's request for the target it is sent to, at send time, the way each provider does:
 * Meta's {@code X-Hub-Signature-256} (HMAC-SHA256 hex of the raw body with the app secret),
 * Telegram's secret-token header, LINE's {@code X-Line-Signature} (HMAC-SHA256 base64 with the
 * channel secret), Viber's {@code X-Viber-Content-Signature} (HMAC-SHA256 hex with the auth token)
 * and Twilio's {@code X-Twilio-Signature} (HMAC-SHA1 base64 of the URL and the sorted parameters —
 * which is why signing waits until the target URL is known). Recorded signature headers are
 * replaced.
 */
public final class Signer {

  /** The demo workspace's secrets by account (conf/demo-workspace.conf; public demo values). */
  public static final Map<String, String> DEMO_SECRETS =
      Map.of(
          "demo-wa", "demo-app-secret",
          "demo-page", "demo-app-secret",
          "demo-bot", "demo-secret-token",
          "demo-line", "demo-channel-secret",
          "demo-viber", "demo-auth-token",
          "demo-sms", "demo-auth-token");

  private static final java.util.Set<String> SIGNATURE_HEADERS =
      java.util.Set.of(
          "x-hub-signature-256",
          "x-hub-signature",
          "x-telegram-bot-api-secret-token",
          "x-line-signature",
          "x-viber-content-signature",
          "x-twilio-signature");

  private final Map<String, String> secrets;

  /** {@code secrets}: account → its secret (app secret, secret token, channel secret, token). */
  public Signer(Map<String, String> secrets) {
    this.secrets = Map.copyOf(secrets);
  }

  /** The demo secrets, overridden by {@code account=secret,…} pairs (may be null). */
  public static Signer parse(String overrides) {
    Map<String, String> secrets = new HashMap<>(DEMO_SECRETS);
    if (overrides != null && !overrides.isBlank()) {
      for (String pair : overrides.split(",")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--secrets takes account=secret,…; got " + pair);
        }
        secrets.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return new Signer(secrets);
  }

  /** Fails early for a capture holding accounts or channels we cannot sign for. */
  public void check(Iterable<CaptureLine> lines) {
    for (CaptureLine line : lines) {
      if (!secrets.containsKey(line.account())) {
        throw new IllegalArgumentException(
            "no secret for account " + line.account() + " (pass --secrets account=secret)");
      }
      if (!Generator.SUPPORTED.contains(line.channel())) {
        throw new IllegalArgumentException("cannot sign " + line.channel() + " requests");
      }
    }
  }

  /** The headers to send {@code line} to {@code url} with: its own, signed for the target. */
  public Map<String, String> headers(CaptureLine line, String url) {
    Map<String, String> headers = new LinkedHashMap<>();
    line.headers()
        .forEach(
            (k, v) -> {
              if (!SIGNATURE_HEADERS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                headers.put(k, v);
              }
            });
    String secret = secrets.get(line.account());
    byte[] body = line.body().getBytes(StandardCharsets.UTF_8);
    switch (line.channel()) {
      case "whatsapp", "messenger", "instagram" ->
          headers.put("X-Hub-Signature-256", "sha256=" + Signatures.hmacSha256Hex(secret, body));
      case "telegram" -> headers.put("X-Telegram-Bot-Api-Secret-Token", secret);
      case "line" -> headers.put("X-Line-Signature", Signatures.hmacSha256Base64(secret, body));
      case "viber" ->
          headers.put("X-Viber-Content-Signature", Signatures.hmacSha256Hex(secret, body));
      case "sms" -> {
        try {
          headers.put(
              "X-Twilio-Signature",
              TwilioConnector.signature(
                  secret, url, Forms.parse("application/x-www-form-urlencoded", body)));
        } catch (WebhookException e) {
          throw new IllegalArgumentException("not a form body: " + e.getMessage(), e);
        }
      }
      default -> throw new IllegalArgumentException("cannot sign " + line.channel() + " requests");
    }
    return headers;
  }
}

package io.omnirouter.connectors;

import com.typesafe.config.ConfigFactory;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.WebhookRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Test requests and accounts. */
public final class Requests {
  private Requests() {}

  public static AccountSettings account(String hocon) {
    return new AccountSettings("ws", "acct", ConfigFactory.parseString(hocon));
  }

  public static WebhookRequest post(String body, String contentType, Map<String, String> headers) {
    return post(body.getBytes(StandardCharsets.UTF_8), contentType, headers, Map.of());
  }

  public static WebhookRequest post(
      byte[] body, String contentType, Map<String, String> headers, Map<String, String> query) {
    Map<String, String> lower = new HashMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
    return new WebhookRequest(
        "https://router.example.com/webhooks/x/acct", lower, query, contentType, body);
  }

  public static WebhookRequest get(Map<String, String> query) {
    return new WebhookRequest(
        "https://router.example.com/webhooks/x/acct", Map.of(), query, "none/none", new byte[0]);
  }
}

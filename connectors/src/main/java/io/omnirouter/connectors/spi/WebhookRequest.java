package io.omnirouter.connectors.spi;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A provider's webhook request as received: the raw body bytes (signatures are checked over these,
 * never over a re-serialized form), lower-cased header names, the query and the full URL.
 */
public record WebhookRequest(
    String url,
    Map<String, String> headers,
    Map<String, String> query,
    String contentType,
    byte[] body) {

  public WebhookRequest {
    headers = Map.copyOf(headers);
    query = Map.copyOf(query);
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
  }

  public Optional<String> queryParam(String name) {
    return Optional.ofNullable(query.get(name));
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}

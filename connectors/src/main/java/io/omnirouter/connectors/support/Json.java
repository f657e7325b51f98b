package io.omnirouter.connectors.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.omnirouter.connectors.spi.WebhookException;
import java.io.IOException;
import java.time.Instant;

/**
 * JSON for provider payloads. Integers are read exactly (never through a double), so ids beyond
 * 2^53 keep every digit; {@link #text} renders any scalar id as its exact text.
 */
public final class Json {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  private Json() {}

  public static JsonNode read(byte[] body) throws WebhookException {
    try {
      JsonNode node = MAPPER.readTree(body);
      if (node == null || !node.isObject()) {
        throw WebhookException.malformed("expected a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw WebhookException.malformed("not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw WebhookException.malformed("unreadable body");
    }
  }

  /** The exact text of a scalar (string or number), or null when missing. */
  public static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull() || v.isContainerNode()) {
      return null;
    }
    return v.isBigDecimal() ? v.decimalValue().toPlainString() : v.asText();
  }

  public static String required(JsonNode node, String field) throws WebhookException {
    String v = text(node, field);
    if (v == null || v.isEmpty()) {
      throw WebhookException.malformed("missing field '" + field + "'");
    }
    return v;
  }

  public static Double number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isNumber() ? v.doubleValue() : null;
  }

  /** Seconds (or milliseconds when {@code millis}) since the epoch, else {@code fallback}. */
  public static Instant epoch(String value, boolean millis, Instant fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(value);
      return millis ? Instant.ofEpochMilli(n) : Instant.ofEpochSecond(n);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}

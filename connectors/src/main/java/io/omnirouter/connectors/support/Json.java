package io.omnirouter.connectors.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.core.model.Text;
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
      wellFormed(node);
      return node;
    } catch (JsonProcessingException e) {
      throw WebhookException.malformed("not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw WebhookException.malformed("unreadable body");
    }
  }

  /**
   * JSON may escape half of a surrogate pair ({@code "\ud83d"}) — a string no UTF-8 encoder takes:
   * stored as it is, it would fail every write of it (the journal's ids, the read side's text
   * columns) and wedge its conversation. Such halves become U+FFFD, as a decoder does with bad
   * bytes.
   */
  static void wellFormed(JsonNode node) {
    if (node instanceof ObjectNode o) {
      var fields = o.fields();
      while (fields.hasNext()) {
        var f = fields.next();
        if (f.getValue().isTextual()) {
          String fixed = Text.repaired(f.getValue().textValue());
          if (fixed != null) {
            f.setValue(TextNode.valueOf(fixed));
          }
        } else {
          wellFormed(f.getValue());
        }
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (a.get(i).isTextual()) {
          String fixed = Text.repaired(a.get(i).textValue());
          if (fixed != null) {
            a.set(i, TextNode.valueOf(fixed));
          }
        } else {
          wellFormed(a.get(i));
        }
      }
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

package io.omnirouter.connectors.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.meta.MetaSecured;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.MessageContent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WhatsApp Cloud API webhooks: {@code object = whatsapp_business_account}, each change's {@code
 * value} holds {@code messages} (every documented type) and/or {@code statuses}.
 */
public final class WhatsAppConnector implements MetaSecured {

  @Override
  public Channel channel() {
    return Channel.WHATSAPP;
  }

  @Override
  public List<Inbound> parse(WebhookRequest request, AccountSettings account, Instant now)
      throws WebhookException {
    JsonNode root = Json.read(request.body());
    if (!"whatsapp_business_account".equals(Json.text(root, "object"))) {
      throw WebhookException.malformed("object must be whatsapp_business_account");
    }
    List<Inbound> out = new ArrayList<>();
    for (JsonNode entry : root.path("entry")) {
      for (JsonNode change : entry.path("changes")) {
        if (!"messages".equals(Json.text(change, "field"))) {
          continue; // account updates, template status… are not conversation traffic
        }
        JsonNode value = change.path("value");
        Map<String, String> names = new HashMap<>();
        for (JsonNode c : value.path("contacts")) {
          names.put(Json.text(c, "wa_id"), c.path("profile").path("name").asText(null));
        }
        for (JsonNode m : value.path("messages")) {
          out.add(message(m, account, names, now));
        }
        for (JsonNode s : value.path("statuses")) {
          out.add(status(s, now));
        }
      }
    }
    return out;
  }

  private static Inbound message(
      JsonNode m, AccountSettings account, Map<String, String> names, Instant now)
      throws WebhookException {
    String from = Json.required(m, "from");
    String id = Json.required(m, "id");
    String type = Json.required(m, "type");
    Instant at = Json.epoch(Json.text(m, "timestamp"), false, now);
    MessageContent content = content(type, m);
    InboundMessage msg =
        new InboundMessage(
            Channel.WHATSAPP, account.account(), id, from, content.text(), at, content);
    return new Inbound.Message(msg, List.of(IdentityKey.phone(from)), names.get(from));
  }

  static MessageContent content(String type, JsonNode m) {
    JsonNode body = m.path(type);
    return switch (type) {
      case "text" -> MessageContent.text(body.path("body").asText(""));
      case "image" -> media(MessageContent.Type.IMAGE, body);
      case "video" -> media(MessageContent.Type.VIDEO, body);
      case "audio", "voice" -> media(MessageContent.Type.AUDIO, body);
      case "document" -> media(MessageContent.Type.FILE, body);
      case "sticker" -> media(MessageContent.Type.STICKER, body);
      case "location" ->
          MessageContent.location(
              body.path("latitude").asDouble(),
              body.path("longitude").asDouble(),
              join(body.path("name").asText(null), body.path("address").asText(null)));
      case "contacts" -> MessageContent.contact(contacts(body));
      case "interactive" -> {
        JsonNode reply =
            body.has("button_reply") ? body.path("button_reply") : body.path("list_reply");
        yield MessageContent.reply(reply.path("id").asText(null), reply.path("title").asText(""));
      }
      case "button" ->
          MessageContent.reply(body.path("payload").asText(null), body.path("text").asText(""));
      case "reaction" -> MessageContent.unsupported("reaction " + body.path("emoji").asText(""));
      default -> MessageContent.unsupported(type);
    };
  }

  private static MessageContent media(MessageContent.Type type, JsonNode body) {
    return MessageContent.media(
        type,
        body.path("caption").asText(null),
        body.path("id").asText(null),
        null,
        body.path("mime_type").asText(null),
        body.path("filename").asText(null));
  }

  private static String contacts(JsonNode list) {
    List<String> parts = new ArrayList<>();
    for (JsonNode c : list) {
      String name = c.path("name").path("formatted_name").asText("");
      String phone = c.path("phones").path(0).path("phone").asText("");
      parts.add((name + " " + phone).trim());
    }
    return String.join(", ", parts);
  }

  private static String join(String a, String b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a + ", " + b;
  }

  private static Inbound status(JsonNode s, Instant now) throws WebhookException {
    String id = Json.required(s, "id");
    Inbound.DeliveryStatus status =
        switch (Json.required(s, "status")) {
          case "sent" -> Inbound.DeliveryStatus.SENT;
          case "delivered" -> Inbound.DeliveryStatus.DELIVERED;
          case "read" -> Inbound.DeliveryStatus.READ;
          case "failed" -> Inbound.DeliveryStatus.FAILED;
          default -> throw WebhookException.malformed("unknown status " + Json.text(s, "status"));
        };
    JsonNode error = s.path("errors").path(0);
    return new Inbound.Status(
        id,
        Json.text(s, "recipient_id"),
        status,
        Json.epoch(Json.text(s, "timestamp"), false, now),
        error.isMissingNode()
            ? null
            : WhatsAppErrors.map(Json.text(error, "code"), error.path("title").asText(null)));
  }
}

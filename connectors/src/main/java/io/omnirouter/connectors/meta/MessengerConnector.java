package io.omnirouter.connectors.meta;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.MessageContent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Messenger Platform ({@code object = page}) and Instagram Messaging ({@code object = instagram})
 * webhooks: {@code entry[].messaging[]} with messages (text, attachments, quick replies),
 * postbacks, deliveries and reads. Echoes of our own sends are not customer messages.
 */
public final class MessengerConnector implements MetaSecured {
  private final Channel channel;

  private MessengerConnector(Channel channel) {
    this.channel = channel;
  }

  public static MessengerConnector messenger() {
    return new MessengerConnector(Channel.MESSENGER);
  }

  public static MessengerConnector instagram() {
    return new MessengerConnector(Channel.INSTAGRAM);
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public List<Inbound> parse(WebhookRequest request, AccountSettings account, Instant now)
      throws WebhookException {
    JsonNode root = Json.read(request.body());
    String object = Json.text(root, "object");
    String expected = channel == Channel.MESSENGER ? "page" : "instagram";
    if (!expected.equals(object)) {
      throw WebhookException.malformed("object must be " + expected);
    }
    List<Inbound> out = new ArrayList<>();
    for (JsonNode entry : root.path("entry")) {
      for (JsonNode event : entry.path("messaging")) {
        Inbound in = event(event, account, now);
        if (in != null) {
          out.add(in);
        }
      }
    }
    return out;
  }

  private Inbound event(JsonNode e, AccountSettings account, Instant now) throws WebhookException {
    String sender = Json.required(e.path("sender"), "id");
    Instant at = Json.epoch(Json.text(e, "timestamp"), true, now);
    if (e.has("message")) {
      JsonNode m = e.path("message");
      if (m.path("is_echo").asBoolean(false)) {
        return null; // our own send, echoed back
      }
      String mid = Json.required(m, "mid");
      MessageContent content = content(m);
      return new Inbound.Message(
          new InboundMessage(channel, account.account(), mid, sender, content.text(), at, content),
          List.of(),
          null);
    }
    if (e.has("postback")) {
      JsonNode p = e.path("postback");
      String mid = Json.text(p, "mid");
      if (mid != null) {
        MessageContent content =
            MessageContent.reply(p.path("payload").asText(null), p.path("title").asText(""));
        return new Inbound.Message(
            new InboundMessage(
                channel, account.account(), mid, sender, content.text(), at, content),
            List.of(),
            null);
      }
      return new Inbound.Event("postback", sender, p.path("payload").asText(null), null, at);
    }
    if (e.has("delivery")) {
      JsonNode mids = e.path("delivery").path("mids");
      return mids.isEmpty()
          ? null
          : new Inbound.Status(
              mids.get(0).asText(), sender, Inbound.DeliveryStatus.DELIVERED, at, null);
    }
    if (e.has("read")) {
      return new Inbound.Event("read", sender, Json.text(e.path("read"), "watermark"), null, at);
    }
    return null; // reactions, referrals, optins: not conversation messages
  }

  private static MessageContent content(JsonNode m) {
    if (m.has("quick_reply")) {
      return MessageContent.reply(
          m.path("quick_reply").path("payload").asText(null), m.path("text").asText(""));
    }
    JsonNode attachment = m.path("attachments").path(0);
    if (!attachment.isMissingNode()) {
      String url = attachment.path("payload").path("url").asText(null);
      return switch (attachment.path("type").asText("")) {
        case "image" ->
            MessageContent.media(
                MessageContent.Type.IMAGE, m.path("text").asText(null), null, url, null, null);
        case "video" ->
            MessageContent.media(MessageContent.Type.VIDEO, null, null, url, null, null);
        case "audio" ->
            MessageContent.media(MessageContent.Type.AUDIO, null, null, url, null, null);
        case "file" -> MessageContent.media(MessageContent.Type.FILE, null, null, url, null, null);
        case "location" -> {
          JsonNode c = attachment.path("payload").path("coordinates");
          yield MessageContent.location(
              c.path("lat").asDouble(),
              c.path("long").asDouble(),
              attachment.path("title").asText(null));
        }
        default -> MessageContent.unsupported(attachment.path("type").asText("attachment"));
      };
    }
    return MessageContent.text(m.path("text").asText(""));
  }
}

package io.omnirouter.connectors.line;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelConnector;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.MessageContent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * LINE Messaging API webhooks: {@code X-Line-Signature} = Base64(HMAC-SHA256(channel secret, raw
 * body)); {@code events[]} of messages, follow/unfollow and postbacks. An empty event list is
 * LINE's "verify" call and is simply acknowledged.
 */
public final class LineConnector implements ChannelConnector {

  @Override
  public Channel channel() {
    return Channel.LINE;
  }

  @Override
  public void validate(AccountSettings account) {
    account.require("channel-secret");
  }

  @Override
  public void verify(WebhookRequest request, AccountSettings account) throws WebhookException {
    String given =
        request
            .header("X-Line-Signature")
            .orElseThrow(() -> WebhookException.unauthorized("missing X-Line-Signature"));
    if (!Signatures.equal(
        Signatures.hmacSha256Base64(account.require("channel-secret"), request.body()), given)) {
      throw WebhookException.unauthorized("signature does not match the body");
    }
  }

  @Override
  public List<Inbound> parse(WebhookRequest request, AccountSettings account, Instant now)
      throws WebhookException {
    JsonNode root = Json.read(request.body());
    if (!root.path("events").isArray()) {
      throw WebhookException.malformed("missing events");
    }
    List<Inbound> out = new ArrayList<>();
    for (JsonNode e : root.path("events")) {
      String user = e.path("source").path("userId").asText(null);
      Instant at = Json.epoch(Json.text(e, "timestamp"), true, now);
      String type = Json.required(e, "type");
      switch (type) {
        case "message" -> {
          if (user == null) {
            throw WebhookException.malformed("message without source.userId");
          }
          JsonNode m = e.path("message");
          MessageContent content = content(m);
          var msg =
              new InboundMessage(
                  Channel.LINE,
                  account.account(),
                  Json.required(m, "id"),
                  user,
                  content.text(),
                  at,
                  content,
                  Json.text(e, "replyToken"));
          out.add(new Inbound.Message(msg, List.of(), null));
        }
        case "postback" ->
            out.add(
                new Inbound.Event(
                    "postback",
                    user,
                    e.path("postback").path("data").asText(null),
                    Json.text(e, "webhookEventId"),
                    at));
        case "follow", "unfollow" ->
            out.add(new Inbound.Event(type, user, null, Json.text(e, "webhookEventId"), at));
        default -> {
          // joins, leaves, beacons, unsend…: not conversation messages
        }
      }
    }
    return out;
  }

  private static MessageContent content(JsonNode m) {
    String id = Json.text(m, "id");
    return switch (m.path("type").asText("")) {
      case "text" -> MessageContent.text(m.path("text").asText(""));
      case "image" -> MessageContent.media(MessageContent.Type.IMAGE, null, id, null, null, null);
      case "video" -> MessageContent.media(MessageContent.Type.VIDEO, null, id, null, null, null);
      case "audio" -> MessageContent.media(MessageContent.Type.AUDIO, null, id, null, null, null);
      case "file" ->
          MessageContent.media(
              MessageContent.Type.FILE, null, id, null, null, Json.text(m, "fileName"));
      case "location" ->
          MessageContent.location(
              m.path("latitude").asDouble(),
              m.path("longitude").asDouble(),
              Json.text(m, "address"));
      case "sticker" ->
          MessageContent.media(
              MessageContent.Type.STICKER, null, Json.text(m, "stickerId"), null, null, null);
      default -> MessageContent.unsupported(m.path("type").asText("message"));
    };
  }
}

package io.omnirouter.connectors.viber;

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
import java.util.List;

/**
 * Viber REST Bot API callbacks: {@code X-Viber-Content-Signature} = hex HMAC-SHA256(auth token, raw
 * body). {@code message_token} is a 64-bit number beyond 2^53 and is kept exact.
 */
public final class ViberConnector implements ChannelConnector {

  @Override
  public Channel channel() {
    return Channel.VIBER;
  }

  @Override
  public void validate(AccountSettings account) {
    account.require("auth-token");
  }

  @Override
  public void verify(WebhookRequest request, AccountSettings account) throws WebhookException {
    String given =
        request
            .header("X-Viber-Content-Signature")
            .orElseThrow(() -> WebhookException.unauthorized("missing X-Viber-Content-Signature"));
    if (!Signatures.equal(
        Signatures.hmacSha256Hex(account.require("auth-token"), request.body()),
        given.toLowerCase(java.util.Locale.ROOT))) {
      throw WebhookException.unauthorized("signature does not match the body");
    }
  }

  @Override
  public List<Inbound> parse(WebhookRequest request, AccountSettings account, Instant now)
      throws WebhookException {
    JsonNode e = Json.read(request.body());
    String event = Json.required(e, "event");
    Instant at = Json.epoch(Json.text(e, "timestamp"), true, now);
    return switch (event) {
      case "message" -> {
        JsonNode sender = e.path("sender");
        String from = Json.required(sender, "id");
        JsonNode m = e.path("message");
        MessageContent content = content(m);
        var msg =
            new InboundMessage(
                Channel.VIBER,
                account.account(),
                Json.required(e, "message_token"),
                from,
                content.text(),
                at,
                content);
        yield List.of(new Inbound.Message(msg, List.of(), Json.text(sender, "name")));
      }
      case "delivered", "seen", "failed" ->
          List.of(
              new Inbound.Status(
                  Json.required(e, "message_token"),
                  Json.text(e, "user_id"),
                  switch (event) {
                    case "delivered" -> Inbound.DeliveryStatus.DELIVERED;
                    case "seen" -> Inbound.DeliveryStatus.READ;
                    default -> Inbound.DeliveryStatus.FAILED;
                  },
                  at,
                  event.equals("failed")
                      ? new io.omnirouter.core.model.ProviderError(
                          "failed",
                          Json.text(e, "desc"),
                          io.omnirouter.core.model.ProviderError.Outcome.RECIPIENT_UNREACHABLE)
                      : null));
      case "subscribed", "conversation_started" ->
          List.of(
              new Inbound.Event(
                  event, Json.text(e.path("user"), "id"), null, Json.text(e, "message_token"), at));
      case "unsubscribed" ->
          List.of(
              new Inbound.Event(
                  event, Json.text(e, "user_id"), null, Json.text(e, "message_token"), at));
      default -> List.of(); // "webhook" (the set-webhook check), "client_status"…
    };
  }

  private static MessageContent content(JsonNode m) {
    String media = Json.text(m, "media");
    return switch (m.path("type").asText("")) {
      case "text" -> MessageContent.text(m.path("text").asText(""));
      case "picture" ->
          MessageContent.media(
              MessageContent.Type.IMAGE, Json.text(m, "text"), null, media, null, null);
      case "video" ->
          MessageContent.media(MessageContent.Type.VIDEO, null, null, media, null, null);
      case "file" ->
          MessageContent.media(
              MessageContent.Type.FILE, null, null, media, null, Json.text(m, "file_name"));
      case "sticker" ->
          MessageContent.media(
              MessageContent.Type.STICKER, null, Json.text(m, "sticker_id"), media, null, null);
      case "location" ->
          MessageContent.location(
              m.path("location").path("lat").asDouble(),
              m.path("location").path("lon").asDouble(),
              null);
      case "contact" ->
          MessageContent.contact(
              (m.path("contact").path("name").asText("")
                      + " "
                      + m.path("contact").path("phone_number").asText(""))
                  .trim());
      case "url" -> MessageContent.text(m.path("media").asText(""));
      default -> MessageContent.unsupported(m.path("type").asText("message"));
    };
  }
}

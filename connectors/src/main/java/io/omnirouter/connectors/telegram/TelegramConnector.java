package io.omnirouter.connectors.telegram;

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
 * Telegram Bot API updates. Authenticity: the {@code X-Telegram-Bot-Api-Secret-Token} set with
 * {@code setWebhook(secret_token)}. A message's id is unique per chat, so the provider id is {@code
 * <chat id>:<message id>}; a callback query (inline button) uses its own id.
 */
public final class TelegramConnector implements ChannelConnector {

  @Override
  public Channel channel() {
    return Channel.TELEGRAM;
  }

  @Override
  public void validate(AccountSettings account) {
    account.require("secret-token");
  }

  @Override
  public void verify(WebhookRequest request, AccountSettings account) throws WebhookException {
    String given = request.header("X-Telegram-Bot-Api-Secret-Token").orElse(null);
    if (!Signatures.equal(account.require("secret-token"), given)) {
      throw WebhookException.unauthorized("X-Telegram-Bot-Api-Secret-Token does not match");
    }
  }

  @Override
  public List<Inbound> parse(WebhookRequest request, AccountSettings account, Instant now)
      throws WebhookException {
    JsonNode update = Json.read(request.body());
    Json.required(update, "update_id");
    if (update.has("message")) {
      return List.of(message(update.path("message"), account, now));
    }
    if (update.has("callback_query")) {
      JsonNode q = update.path("callback_query");
      String from = Json.required(q.path("from"), "id");
      MessageContent content =
          MessageContent.reply(Json.text(q, "data"), q.path("message").path("text").asText(""));
      var msg =
          new InboundMessage(
              Channel.TELEGRAM,
              account.account(),
              "cb:" + Json.required(q, "id"),
              from,
              content.text(),
              now,
              content);
      return List.of(new Inbound.Message(msg, List.of(), displayName(q.path("from"))));
    }
    // edited messages, channel posts, member updates: not new customer messages
    return List.of();
  }

  private static Inbound message(JsonNode m, AccountSettings account, Instant now)
      throws WebhookException {
    String chat = Json.required(m.path("chat"), "id");
    String id = chat + ":" + Json.required(m, "message_id");
    String from = m.path("from").isMissingNode() ? chat : Json.required(m.path("from"), "id");
    Instant at = Json.epoch(Json.text(m, "date"), false, now);
    String caption = Json.text(m, "caption");
    MessageContent content;
    if (m.has("text")) {
      content = MessageContent.text(m.path("text").asText());
    } else if (m.has("photo")) {
      JsonNode largest = m.path("photo").path(m.path("photo").size() - 1);
      content =
          MessageContent.media(
              MessageContent.Type.IMAGE, caption, Json.text(largest, "file_id"), null, null, null);
    } else if (m.has("document")) {
      JsonNode d = m.path("document");
      content =
          MessageContent.media(
              MessageContent.Type.FILE,
              caption,
              Json.text(d, "file_id"),
              null,
              Json.text(d, "mime_type"),
              Json.text(d, "file_name"));
    } else if (m.has("video")) {
      content =
          MessageContent.media(
              MessageContent.Type.VIDEO,
              caption,
              Json.text(m.path("video"), "file_id"),
              null,
              null,
              null);
    } else if (m.has("voice") || m.has("audio")) {
      JsonNode a = m.has("voice") ? m.path("voice") : m.path("audio");
      content =
          MessageContent.media(
              MessageContent.Type.AUDIO,
              caption,
              Json.text(a, "file_id"),
              null,
              Json.text(a, "mime_type"),
              null);
    } else if (m.has("sticker")) {
      content =
          MessageContent.media(
              MessageContent.Type.STICKER,
              Json.text(m.path("sticker"), "emoji"),
              Json.text(m.path("sticker"), "file_id"),
              null,
              null,
              null);
    } else if (m.has("location")) {
      content =
          MessageContent.location(
              m.path("location").path("latitude").asDouble(),
              m.path("location").path("longitude").asDouble(),
              null);
    } else if (m.has("contact")) {
      JsonNode c = m.path("contact");
      content =
          MessageContent.contact(
              (c.path("first_name").asText("") + " " + c.path("phone_number").asText("")).trim());
    } else {
      content = MessageContent.unsupported("telegram message");
    }
    var msg =
        new InboundMessage(
            Channel.TELEGRAM, account.account(), id, from, content.text(), at, content);
    return new Inbound.Message(msg, List.of(), displayName(m.path("from")));
  }

  private static String displayName(JsonNode from) {
    String name =
        (from.path("first_name").asText("") + " " + from.path("last_name").asText("")).trim();
    return name.isEmpty() ? from.path("username").asText(null) : name;
  }
}

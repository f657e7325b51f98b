package io.omnirouter.connectors.telegram;

import io.omnirouter.connectors.outbound.HttpJson;
import io.omnirouter.connectors.outbound.Outcomes;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.model.ProviderError;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Bot API {@code sendMessage} / {@code sendPhoto}; the recipient is the chat id. */
public final class TelegramSender implements ChannelSender {
  private final HttpJson http;

  public TelegramSender(HttpJson http) {
    this.http = http;
  }

  @Override
  public Channel channel() {
    return Channel.TELEGRAM;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    String base =
        account.optional("api-base-url", "https://api.telegram.org")
            + "/bot"
            + account.require("bot-token");
    boolean photo = r.content().mediaUrl() != null;
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("chat_id", r.recipient());
    String text = r.content().text() == null ? "" : r.content().text();
    if (photo) {
      body.put("photo", r.content().mediaUrl());
      body.put("caption", text);
    } else {
      body.put("text", text);
    }
    if (!r.content().buttons().isEmpty()) {
      // one button per row of an inline keyboard; callback_data comes back as a callback query
      body.put(
          "reply_markup",
          Map.of(
              "inline_keyboard",
              r.content().buttons().stream()
                  .map(x -> java.util.List.of(Map.of("text", x.title(), "callback_data", x.id())))
                  .toList()));
    }
    return http.postJson(base + (photo ? "/sendPhoto" : "/sendMessage"), Map.of(), body)
        .thenApply(
            resp -> {
              if (resp.status() == 200 && resp.body().path("ok").asBoolean(false)) {
                var m = resp.body().path("result");
                return m.path("chat").path("id").asText() + ":" + m.path("message_id").asText();
              }
              String code = resp.body().path("error_code").asText(Integer.toString(resp.status()));
              ProviderError.Outcome outcome =
                  "403".equals(code)
                      ? ProviderError.Outcome.RECIPIENT_UNREACHABLE
                      : ProviderError.Outcome.REJECTED;
              throw Outcomes.failure(
                  resp,
                  new ProviderError(code, resp.body().path("description").asText(""), outcome));
            });
  }
}

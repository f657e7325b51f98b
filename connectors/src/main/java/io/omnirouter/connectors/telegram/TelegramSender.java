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
    Map<String, Object> body =
        photo
            ? Map.of(
                "chat_id",
                r.recipient(),
                "photo",
                r.content().mediaUrl(),
                "caption",
                r.content().text() == null ? "" : r.content().text())
            : Map.of(
                "chat_id",
                r.recipient(),
                "text",
                r.content().text() == null ? "" : r.content().text());
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

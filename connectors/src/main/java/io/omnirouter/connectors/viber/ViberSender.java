package io.omnirouter.connectors.viber;

import io.omnirouter.connectors.outbound.HttpJson;
import io.omnirouter.connectors.outbound.Outcomes;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.model.ProviderError;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** {@code POST /pa/send_message} with {@code X-Viber-Auth-Token}; status 0 is success. */
public final class ViberSender implements ChannelSender {
  private final HttpJson http;

  public ViberSender(HttpJson http) {
    this.http = http;
  }

  @Override
  public Channel channel() {
    return Channel.VIBER;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    String url = account.optional("api-base-url", "https://chatapi.viber.com") + "/pa/send_message";
    Map<String, Object> body =
        Map.of(
            "receiver",
            r.recipient(),
            "type",
            "text",
            "text",
            r.content().text() == null ? "" : r.content().text(),
            "sender",
            Map.of("name", account.optional("sender-name", "Support")));
    return http.postJson(url, Map.of("X-Viber-Auth-Token", account.require("auth-token")), body)
        .thenApply(
            resp -> {
              if (resp.status() == 200 && resp.body().path("status").asInt(-1) == 0) {
                return resp.body().path("message_token").asText();
              }
              String code = resp.body().path("status").asText(Integer.toString(resp.status()));
              ProviderError.Outcome o =
                  "6".equals(code) || "5".equals(code)
                      ? ProviderError.Outcome.RECIPIENT_UNREACHABLE
                      : ProviderError.Outcome.REJECTED;
              throw Outcomes.failure(
                  resp, new ProviderError(code, resp.body().path("status_message").asText(""), o));
            });
  }
}

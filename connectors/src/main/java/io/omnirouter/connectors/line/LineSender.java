package io.omnirouter.connectors.line;

import io.omnirouter.connectors.outbound.HttpJson;
import io.omnirouter.connectors.outbound.Outcomes;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.model.ProviderError;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Push API {@code POST /v2/bot/message/push} with {@code X-Line-Retry-Key} derived from our message
 * id, so LINE itself drops a resend it already accepted (409).
 */
public final class LineSender implements ChannelSender {
  private final HttpJson http;

  public LineSender(HttpJson http) {
    this.http = http;
  }

  @Override
  public Channel channel() {
    return Channel.LINE;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    if (r.replyToken() == null) {
      return push(r, account);
    }
    // the free reply token first; once it has expired (about a minute), push instead
    String url = account.optional("api-base-url", "https://api.line.me") + "/v2/bot/message/reply";
    Map<String, Object> body = Map.of("replyToken", r.replyToken(), "messages", messages(r));
    return http.postJson(
            url, Map.of("Authorization", "Bearer " + account.require("channel-access-token")), body)
        .thenCompose(
            resp -> {
              if (resp.status() == 200) {
                return java.util.concurrent.CompletableFuture.completedFuture(
                    resp.headers().getOrDefault("x-line-request-id", "line:" + r.messageId()));
              }
              ProviderError error =
                  LineErrors.map(resp.status(), resp.body().path("message").asText(""));
              if (error.outcome() == ProviderError.Outcome.WINDOW_CLOSED) {
                return push(r, account);
              }
              throw Outcomes.failure(resp, error);
            });
  }

  private CompletionStage<String> push(OutboundRequest r, AccountSettings account) {
    String url = account.optional("api-base-url", "https://api.line.me") + "/v2/bot/message/push";
    String retryKey =
        UUID.nameUUIDFromBytes(r.messageId().getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .toString();
    Map<String, Object> body = Map.of("to", r.recipient(), "messages", messages(r));
    return http.postJson(
            url,
            Map.of(
                "Authorization",
                "Bearer " + account.require("channel-access-token"),
                "X-Line-Retry-Key",
                retryKey),
            body)
        .thenApply(
            resp -> {
              if (resp.status() == 200 || resp.status() == 409) {
                return resp.headers().getOrDefault("x-line-request-id", "line:" + r.messageId());
              }
              throw Outcomes.failure(
                  resp, LineErrors.map(resp.status(), resp.body().path("message").asText("")));
            });
  }

  private static List<Map<String, String>> messages(OutboundRequest r) {
    return List.of(
        Map.of("type", "text", "text", r.content().text() == null ? "" : r.content().text()));
  }
}

package io.omnirouter.connectors.wechat;

import io.omnirouter.connectors.outbound.HttpJson;
import io.omnirouter.connectors.outbound.Outcomes;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundRequest;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Customer-service message API {@code POST /cgi-bin/message/custom/send?access_token=…}. WeChat
 * answers HTTP 200 with an {@code errcode}; 45015 means the 48 h window has closed. The access
 * token is either configured ({@code access-token}) or fetched with {@code app-id} + {@code
 * app-secret} from {@code /cgi-bin/token} and cached until shortly before it expires; a token
 * WeChat calls invalid or expired (40001, 42001) is dropped and the send retried. The API returns
 * no message id, so ours stands in for it.
 */
public final class WeChatSender implements ChannelSender {
  private final HttpJson http;
  private final java.time.Clock clock;
  private final Map<String, Token> tokens = new java.util.concurrent.ConcurrentHashMap<>();

  private record Token(String value, java.time.Instant expires) {}

  public WeChatSender(HttpJson http, java.time.Clock clock) {
    this.http = http;
    this.clock = clock;
  }

  @Override
  public Channel channel() {
    return Channel.WECHAT;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    String base = account.optional("api-base-url", "https://api.weixin.qq.com");
    Map<String, Object> body =
        Map.of(
            "touser", r.recipient(),
            "msgtype", "text",
            "text", Map.of("content", r.content().text() == null ? "" : r.content().text()));
    return accessToken(account, base)
        .thenCompose(
            token ->
                http.postJson(
                    base + "/cgi-bin/message/custom/send?access_token=" + token, Map.of(), body))
        .thenApply(
            resp -> {
              String code = resp.body().path("errcode").asText("0");
              if (resp.status() == 200 && "0".equals(code)) {
                return "wx:" + r.messageId();
              }
              if ("40001".equals(code) || "42001".equals(code)) {
                tokens.remove(account.account());
                throw new io.omnirouter.connectors.spi.SendFailure(
                    new io.omnirouter.core.model.ProviderError(
                        code,
                        "access token refused; fetching a new one",
                        io.omnirouter.core.model.ProviderError.Outcome.TRANSIENT));
              }
              throw Outcomes.failure(
                  resp, WeChatErrors.map(code, resp.body().path("errmsg").asText("")));
            });
  }

  private CompletionStage<String> accessToken(AccountSettings account, String base) {
    String configured = account.optional("access-token", null);
    if (configured != null) {
      return java.util.concurrent.CompletableFuture.completedFuture(configured);
    }
    Token cached = tokens.get(account.account());
    if (cached != null && clock.instant().isBefore(cached.expires())) {
      return java.util.concurrent.CompletableFuture.completedFuture(cached.value());
    }
    String url =
        base
            + "/cgi-bin/token?grant_type=client_credential&appid="
            + account.require("app-id")
            + "&secret="
            + account.require("app-secret");
    return http.get(url)
        .thenApply(
            resp -> {
              String token = resp.body().path("access_token").asText(null);
              if (resp.status() != 200 || token == null) {
                throw Outcomes.failure(
                    resp,
                    WeChatErrors.map(
                        resp.body().path("errcode").asText("-1"),
                        resp.body().path("errmsg").asText("")));
              }
              long ttl = Math.max(60, resp.body().path("expires_in").asLong(7200) - 300);
              tokens.put(account.account(), new Token(token, clock.instant().plusSeconds(ttl)));
              return token;
            });
  }
}

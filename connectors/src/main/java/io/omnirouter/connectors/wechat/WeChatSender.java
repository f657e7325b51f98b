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
 * answers HTTP 200 with an {@code errcode}; 45015 means the 48 h window has closed. The API returns
 * no message id, so ours stands in for it. (The access token is configured; refreshing it from the
 * AppSecret is not built yet.)
 */
public final class WeChatSender implements ChannelSender {
  private final HttpJson http;

  public WeChatSender(HttpJson http) {
    this.http = http;
  }

  @Override
  public Channel channel() {
    return Channel.WECHAT;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    String url =
        account.optional("api-base-url", "https://api.weixin.qq.com")
            + "/cgi-bin/message/custom/send?access_token="
            + account.require("access-token");
    Map<String, Object> body =
        Map.of(
            "touser",
            r.recipient(),
            "msgtype",
            "text",
            "text",
            Map.of("content", r.content().text() == null ? "" : r.content().text()));
    return http.postJson(url, Map.of(), body)
        .thenApply(
            resp -> {
              String code = resp.body().path("errcode").asText("0");
              if (resp.status() == 200 && "0".equals(code)) {
                return "wx:" + r.messageId();
              }
              throw Outcomes.failure(
                  resp, WeChatErrors.map(code, resp.body().path("errmsg").asText("")));
            });
  }
}

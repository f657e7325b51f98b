package io.omnirouter.connectors.twilio;

import io.omnirouter.connectors.outbound.HttpJson;
import io.omnirouter.connectors.outbound.Outcomes;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /2010-04-01/Accounts/{sid}/Messages.json} (form), HTTP basic auth with the auth
 * token.
 */
public final class TwilioSender implements ChannelSender {
  private final HttpJson http;

  public TwilioSender(HttpJson http) {
    this.http = http;
  }

  @Override
  public Channel channel() {
    return Channel.SMS;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    String sid = account.require("account-sid");
    String url =
        account.optional("api-base-url", "https://api.twilio.com")
            + "/2010-04-01/Accounts/"
            + sid
            + "/Messages.json";
    String form =
        "To="
            + enc(r.recipient())
            + "&From="
            + enc(account.require("from-number"))
            + "&Body="
            + enc(r.content().text() == null ? "" : r.content().text());
    String auth =
        Base64.getEncoder()
            .encodeToString(
                (sid + ":" + account.require("auth-token")).getBytes(StandardCharsets.UTF_8));
    return http.postForm(url, Map.of("Authorization", "Basic " + auth), form)
        .thenApply(
            resp -> {
              if (resp.status() / 100 == 2 && resp.body().has("sid")) {
                return resp.body().path("sid").asText();
              }
              throw Outcomes.failure(
                  resp,
                  TwilioErrors.map(
                      resp.body().path("code").asText(Integer.toString(resp.status())),
                      resp.body().path("message").asText("")));
            });
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}

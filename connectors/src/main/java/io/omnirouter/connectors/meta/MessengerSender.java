package io.omnirouter.connectors.meta;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.outbound.HttpJson;
import io.omnirouter.connectors.outbound.Outcomes;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Send API {@code POST /me/messages}: a {@code RESPONSE} inside the 24 h window, a {@code
 * MESSAGE_TAG} with {@code HUMAN_AGENT} when the content carries that tag.
 */
public final class MessengerSender implements ChannelSender {
  private final HttpJson http;
  private final Channel channel;

  public MessengerSender(HttpJson http, Channel channel) {
    this.http = http;
    this.channel = channel;
  }

  @Override
  public Channel channel() {
    return channel;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    String url =
        account.optional("api-base-url", "https://graph.facebook.com/v21.0") + "/me/messages";
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("recipient", Map.of("id", r.recipient()));
    if (r.content().humanAgentTag()) {
      body.put("messaging_type", "MESSAGE_TAG");
      body.put("tag", "HUMAN_AGENT");
    } else {
      body.put("messaging_type", "RESPONSE");
    }
    Map<String, Object> message = new LinkedHashMap<>();
    if (r.content().mediaUrl() != null) {
      message.put(
          "attachment", Map.of("type", "image", "payload", Map.of("url", r.content().mediaUrl())));
    } else {
      message.put("text", r.content().text() == null ? "" : r.content().text());
    }
    if (!r.content().buttons().isEmpty()) {
      message.put(
          "quick_replies",
          r.content().buttons().stream()
              .limit(13)
              .map(x -> Map.of("content_type", "text", "title", x.title(), "payload", x.id()))
              .toList());
    }
    body.put("message", message);
    return http.postJson(
            url, Map.of("Authorization", "Bearer " + account.require("page-access-token")), body)
        .thenApply(
            resp -> {
              if (resp.status() / 100 == 2 && resp.body().has("message_id")) {
                return resp.body().path("message_id").asText();
              }
              JsonNode e = resp.body().path("error");
              throw Outcomes.failure(
                  resp,
                  MetaErrors.map(
                      e.path("code").asText(null),
                      e.path("error_subcode").asText(null),
                      e.path("message").asText("")));
            });
  }
}

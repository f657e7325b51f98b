package io.omnirouter.connectors.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.outbound.HttpJson;
import io.omnirouter.connectors.outbound.Outcomes;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.core.model.OutboundRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Cloud API {@code POST /{phone-number-id}/messages} with the account's access token. Our message
 * id travels as {@code biz_opaque_callback_data} (WhatsApp echoes it in statuses), the idempotency
 * key a resend carries.
 */
public final class WhatsAppSender implements ChannelSender {
  private final HttpJson http;

  public WhatsAppSender(HttpJson http) {
    this.http = http;
  }

  @Override
  public Channel channel() {
    return Channel.WHATSAPP;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    String url =
        account.optional("api-base-url", "https://graph.facebook.com/v21.0")
            + "/"
            + account.require("phone-number-id")
            + "/messages";
    return http.postJson(
            url, Map.of("Authorization", "Bearer " + account.require("access-token")), body(r))
        .thenApply(
            resp -> {
              if (resp.status() / 100 == 2) {
                String id = resp.body().path("messages").path(0).path("id").asText(null);
                if (id != null) {
                  return id;
                }
              }
              JsonNode e = resp.body().path("error");
              throw Outcomes.failure(
                  resp,
                  WhatsAppErrors.map(
                      e.path("code").asText(Integer.toString(resp.status())),
                      e.path("message").asText("HTTP " + resp.status())));
            });
  }

  /** Up to three reply buttons; more become a list (up to ten rows). */
  static Map<String, Object> interactive(OutboundContent c) {
    Map<String, Object> body = Map.of("text", c.text() == null ? "" : c.text());
    if (c.buttons().size() <= 3) {
      List<Map<String, Object>> buttons = new ArrayList<>();
      c.buttons()
          .forEach(
              x ->
                  buttons.add(
                      Map.of("type", "reply", "reply", Map.of("id", x.id(), "title", x.title()))));
      return Map.of("type", "button", "body", body, "action", Map.of("buttons", buttons));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    c.buttons().stream().limit(10).forEach(x -> rows.add(Map.of("id", x.id(), "title", x.title())));
    return Map.of(
        "type",
        "list",
        "body",
        body,
        "action",
        Map.of("button", "Choose", "sections", List.of(Map.of("title", "Options", "rows", rows))));
  }

  static Map<String, Object> body(OutboundRequest r) {
    OutboundContent c = r.content();
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("messaging_product", "whatsapp");
    b.put("recipient_type", "individual");
    b.put("to", r.recipient());
    b.put("biz_opaque_callback_data", r.messageId());
    switch (c.type()) {
      case TEMPLATE -> {
        b.put("type", "template");
        List<Map<String, String>> params = new ArrayList<>();
        c.templateParameters().forEach(p -> params.add(Map.of("type", "text", "text", p)));
        b.put(
            "template",
            Map.of(
                "name", c.templateName(),
                "language",
                    Map.of("code", c.templateLanguage() == null ? "en" : c.templateLanguage()),
                "components",
                    params.isEmpty()
                        ? List.of()
                        : List.of(Map.of("type", "body", "parameters", params))));
      }
      case INTERACTIVE -> {
        b.put("type", "interactive");
        b.put("interactive", interactive(c));
      }
      case MEDIA -> {
        b.put("type", "image");
        Map<String, String> media = new LinkedHashMap<>();
        media.put("link", c.mediaUrl());
        if (c.text() != null) {
          media.put("caption", c.text());
        }
        b.put("image", media);
      }
      default -> {
        b.put("type", "text");
        b.put("text", Map.of("body", c.text() == null ? "" : c.text()));
      }
    }
    return b;
  }
}

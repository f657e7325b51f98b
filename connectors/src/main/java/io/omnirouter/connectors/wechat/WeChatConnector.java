package io.omnirouter.connectors.wechat;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelConnector;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.connectors.support.SafeXml;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.MessageContent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * WeChat Official Account messages (XML), plain and safe (AES) mode. The server answers "success"
 * within WeChat's 5 s; events (subscribe, unsubscribe, CLICK, VIEW, SCAN, LOCATION) are channel
 * events, not customer messages.
 */
public final class WeChatConnector implements ChannelConnector {

  @Override
  public Channel channel() {
    return Channel.WECHAT;
  }

  @Override
  public void validate(AccountSettings account) {
    crypto(account);
  }

  static WeChatCrypto crypto(AccountSettings account) {
    return new WeChatCrypto(
        account.require("token"),
        account.optional("encoding-aes-key", null),
        account.require("app-id"));
  }

  @Override
  public String acknowledgement() {
    return "success";
  }

  @Override
  public Optional<String> handshake(WebhookRequest request, AccountSettings account)
      throws WebhookException {
    String echo =
        request
            .queryParam("echostr")
            .orElseThrow(() -> WebhookException.malformed("missing echostr"));
    if (!crypto(account)
        .plainSignatureValid(
            request.queryParam("signature").orElse(null),
            request.queryParam("timestamp").orElse(null),
            request.queryParam("nonce").orElse(null))) {
      throw WebhookException.unauthorized("signature does not match");
    }
    return Optional.of(echo);
  }

  @Override
  public void verify(WebhookRequest request, AccountSettings account) throws WebhookException {
    WeChatCrypto crypto = crypto(account);
    String timestamp = request.queryParam("timestamp").orElse(null);
    String nonce = request.queryParam("nonce").orElse(null);
    // the plain signature comes with every request, in safe mode too
    if (!crypto.plainSignatureValid(
        request.queryParam("signature").orElse(null), timestamp, nonce)) {
      throw WebhookException.unauthorized("signature does not match");
    }
  }

  @Override
  public List<Inbound> parse(WebhookRequest request, AccountSettings account, Instant now)
      throws WebhookException {
    Map<String, String> xml = SafeXml.flat(request.body());
    if ("aes".equals(request.queryParam("encrypt_type").orElse(null))
        || xml.containsKey("Encrypt")) {
      String encrypted = xml.get("Encrypt");
      WeChatCrypto crypto = crypto(account);
      if (!crypto.messageSignatureValid(
          request.queryParam("msg_signature").orElse(null),
          request.queryParam("timestamp").orElse(null),
          request.queryParam("nonce").orElse(null),
          encrypted)) {
        throw WebhookException.unauthorized("msg_signature does not match");
      }
      xml = SafeXml.flat(crypto.decrypt(encrypted).getBytes(StandardCharsets.UTF_8));
    }
    return List.of(message(xml, account, now));
  }

  static Inbound message(Map<String, String> x, AccountSettings account, Instant now)
      throws WebhookException {
    String from = require(x, "FromUserName");
    String type = require(x, "MsgType");
    Instant at = Json.epoch(x.get("CreateTime"), false, now);
    if ("event".equals(type)) {
      String event = require(x, "Event").toLowerCase(java.util.Locale.ROOT);
      // WeChat gives events no id: sender + time + event identifies a redelivery
      String id = from + ":" + x.get("CreateTime") + ":" + event;
      return new Inbound.Event(event, from, x.get("EventKey"), id, at);
    }
    String msgId = require(x, "MsgId");
    MessageContent content =
        switch (type) {
          case "text" -> MessageContent.text(x.getOrDefault("Content", ""));
          case "image" ->
              MessageContent.media(
                  MessageContent.Type.IMAGE, null, x.get("MediaId"), x.get("PicUrl"), null, null);
          case "voice" ->
              MessageContent.media(
                  MessageContent.Type.AUDIO,
                  x.get("Recognition"),
                  x.get("MediaId"),
                  null,
                  x.get("Format"),
                  null);
          case "video", "shortvideo" ->
              MessageContent.media(
                  MessageContent.Type.VIDEO, null, x.get("MediaId"), null, null, null);
          case "location" ->
              MessageContent.location(
                  parseDouble(x.get("Location_X")),
                  parseDouble(x.get("Location_Y")),
                  x.get("Label"));
          case "link" -> MessageContent.text(join(x.get("Title"), x.get("Url")));
          default -> MessageContent.unsupported(type);
        };
    InboundMessage msg =
        new InboundMessage(
            Channel.WECHAT, account.account(), msgId, from, content.text(), at, content);
    return new Inbound.Message(msg, List.of(), null);
  }

  private static String require(Map<String, String> x, String field) throws WebhookException {
    String v = x.get(field);
    if (v == null || v.isBlank()) {
      throw WebhookException.malformed("missing " + field);
    }
    return v;
  }

  private static double parseDouble(String s) throws WebhookException {
    try {
      return Double.parseDouble(s);
    } catch (RuntimeException e) {
      throw WebhookException.malformed("bad coordinate " + s);
    }
  }

  private static String join(String a, String b) {
    return a == null ? b : b == null ? a : a + " " + b;
  }
}

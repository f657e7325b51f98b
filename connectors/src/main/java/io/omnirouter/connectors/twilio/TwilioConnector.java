package io.omnirouter.connectors.twilio;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelConnector;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.support.Forms;
import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.MessageContent;
import io.omnirouter.core.model.ProviderError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Twilio Programmable Messaging (SMS/MMS) webhooks, form-encoded. {@code X-Twilio-Signature} =
 * Base64(HMAC-SHA1(auth token, URL + every POST parameter's name and value, sorted by name)), where
 * URL is the public URL Twilio called ({@code webhook-url}). STOP-type keywords also produce an
 * {@code opt-out} event.
 */
public final class TwilioConnector implements ChannelConnector {
  static final Set<String> OPT_OUT =
      Set.of("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT");
  static final Set<String> OPT_IN = Set.of("START", "UNSTOP", "YES");

  @Override
  public Channel channel() {
    return Channel.SMS;
  }

  @Override
  public void validate(AccountSettings account) {
    account.require("auth-token");
  }

  public static String signature(String authToken, String url, Map<String, String> params) {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
    return Signatures.hmacSha1Base64(authToken, data.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void verify(WebhookRequest request, AccountSettings account) throws WebhookException {
    String given =
        request
            .header("X-Twilio-Signature")
            .orElseThrow(() -> WebhookException.unauthorized("missing X-Twilio-Signature"));
    Map<String, String> params;
    try {
      params = Forms.parse(request.contentType(), request.body());
    } catch (WebhookException e) {
      throw WebhookException.unauthorized("cannot verify: " + e.getMessage());
    }
    String url = account.optional("webhook-url", request.url());
    if (!Signatures.equal(signature(account.require("auth-token"), url, params), given)) {
      throw WebhookException.unauthorized("signature does not match URL and parameters");
    }
  }

  @Override
  public List<Inbound> parse(WebhookRequest request, AccountSettings account, Instant now)
      throws WebhookException {
    Map<String, String> p = Forms.parse(request.contentType(), request.body());
    String sid = p.getOrDefault("MessageSid", p.get("SmsSid"));
    if (sid == null || sid.isBlank()) {
      throw WebhookException.malformed("missing MessageSid");
    }
    String status = p.get("MessageStatus");
    if (status != null && !"received".equals(status)) {
      return List.of(deliveryStatus(sid, p, status, now));
    }
    String from = p.get("From");
    if (from == null || from.isBlank()) {
      throw WebhookException.malformed("missing From");
    }
    String body = p.getOrDefault("Body", "");
    int media = parseInt(p.getOrDefault("NumMedia", "0"));
    MessageContent content =
        media > 0
            ? MessageContent.media(
                kind(p.get("MediaContentType0")),
                body,
                null,
                p.get("MediaUrl0"),
                p.get("MediaContentType0"),
                null)
            : MessageContent.text(body);
    List<Inbound> out = new ArrayList<>();
    var msg = new InboundMessage(Channel.SMS, account.account(), sid, from, body, now, content);
    out.add(new Inbound.Message(msg, List.of(IdentityKey.phone(from)), null));
    String keyword = body.trim().toUpperCase(Locale.ROOT);
    if (OPT_OUT.contains(keyword)) {
      out.add(new Inbound.Event("opt-out", from, keyword, sid + ":opt-out", now));
    } else if (OPT_IN.contains(keyword)) {
      out.add(new Inbound.Event("opt-in", from, keyword, sid + ":opt-in", now));
    }
    return out;
  }

  private static Inbound deliveryStatus(
      String sid, Map<String, String> p, String status, Instant now) {
    Inbound.DeliveryStatus s =
        switch (status) {
          case "delivered" -> Inbound.DeliveryStatus.DELIVERED;
          case "read" -> Inbound.DeliveryStatus.READ;
          case "undelivered", "failed" -> Inbound.DeliveryStatus.FAILED;
          default -> Inbound.DeliveryStatus.SENT;
        };
    String code = p.get("ErrorCode");
    ProviderError error =
        code == null || code.isBlank() ? null : TwilioErrors.map(code, p.get("ErrorMessage"));
    return new Inbound.Status(sid, p.get("To"), s, now, error);
  }

  private static MessageContent.Type kind(String mime) {
    if (mime == null) {
      return MessageContent.Type.FILE;
    }
    if (mime.startsWith("image/")) {
      return MessageContent.Type.IMAGE;
    }
    if (mime.startsWith("video/")) {
      return MessageContent.Type.VIDEO;
    }
    return mime.startsWith("audio/") ? MessageContent.Type.AUDIO : MessageContent.Type.FILE;
  }

  private static int parseInt(String s) throws WebhookException {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw WebhookException.malformed("bad NumMedia");
    }
  }
}

package io.omnirouter.loadtest.sim;

import static io.omnirouter.loadtest.sim.WhatsAppWebhooks.quote;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Customer-message webhook bodies of the other channels, shaped as each provider documents and
 * sends them (field order and envelopes as in their samples; see docs/CHANNELS.md for the sources).
 * WhatsApp's are in {@link WhatsAppWebhooks}.
 */
public final class ProviderWebhooks {
  private ProviderWebhooks() {}

  /** Messenger (object "page") or Instagram (object "instagram") text message. */
  public static String messenger(
      String object, String pageId, String psid, String mid, long timeMillis, String text) {
    return "{\"object\":\""
        + object
        + "\",\"entry\":[{\"id\":\""
        + pageId
        + "\",\"time\":"
        + timeMillis
        + ",\"messaging\":[{\"sender\":{\"id\":\""
        + psid
        + "\"},\"recipient\":{\"id\":\""
        + pageId
        + "\"},\"timestamp\":"
        + timeMillis
        + ",\"message\":{\"mid\":\""
        + mid
        + "\",\"text\":"
        + quote(text)
        + "}}]}]}";
  }

  /** Telegram Bot API update with a private-chat text message (its id is chat:message_id). */
  public static String telegram(
      long updateId, long userId, String firstName, long messageId, long unixTime, String text) {
    String user =
        "{\"id\":" + userId + ",\"is_bot\":false,\"first_name\":" + quote(firstName) + "}";
    return "{\"update_id\":"
        + updateId
        + ",\"message\":{\"message_id\":"
        + messageId
        + ",\"from\":"
        + user
        + ",\"chat\":{\"id\":"
        + userId
        + ",\"first_name\":"
        + quote(firstName)
        + ",\"type\":\"private\"},\"date\":"
        + unixTime
        + ",\"text\":"
        + quote(text)
        + "}}";
  }

  /** LINE Messaging API webhook with one text message event. */
  public static String line(
      String destination,
      String userId,
      String messageId,
      String replyToken,
      String webhookEventId,
      boolean redelivery,
      long timeMillis,
      String text) {
    return "{\"destination\":\""
        + destination
        + "\",\"events\":[{\"type\":\"message\",\"message\":{\"type\":\"text\",\"id\":\""
        + messageId
        + "\",\"quoteToken\":\"q"
        + messageId
        + "\",\"text\":"
        + quote(text)
        + "},\"webhookEventId\":\""
        + webhookEventId
        + "\",\"deliveryContext\":{\"isRedelivery\":"
        + redelivery
        + "},\"timestamp\":"
        + timeMillis
        + ",\"source\":{\"type\":\"user\",\"userId\":\""
        + userId
        + "\"},\"replyToken\":\""
        + replyToken
        + "\",\"mode\":\"active\"}]}";
  }

  /** Viber REST bot callback for a text message. */
  public static String viber(
      String senderId, String name, long messageToken, long timeMillis, String text) {
    return "{\"event\":\"message\",\"timestamp\":"
        + timeMillis
        + ",\"chat_hostname\":\"SN-CHAT-05_\",\"message_token\":"
        + messageToken
        + ",\"sender\":{\"id\":\""
        + senderId
        + "\",\"name\":"
        + quote(name)
        + ",\"language\":\"en\",\"country\":\"DE\",\"api_version\":10},"
        + "\"message\":{\"text\":"
        + quote(text)
        + ",\"type\":\"text\"},\"silent\":false}";
  }

  /** Twilio's incoming-SMS webhook parameters, in the order Twilio posts them. */
  public static Map<String, String> twilioSms(
      String accountSid, String messageSid, String from, String to, String body) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ToCountry", "US");
    p.put("ToState", "CA");
    p.put("SmsMessageSid", messageSid);
    p.put("NumMedia", "0");
    p.put("ToCity", "");
    p.put("FromZip", "");
    p.put("SmsSid", messageSid);
    p.put("FromState", "");
    p.put("SmsStatus", "received");
    p.put("FromCity", "");
    p.put("Body", body);
    p.put("FromCountry", "DE");
    p.put("To", to);
    p.put("ToZip", "");
    p.put("NumSegments", Integer.toString(Math.max(1, (body.length() + 152) / 153)));
    p.put("MessageSid", messageSid);
    p.put("AccountSid", accountSid);
    p.put("From", from);
    p.put("ApiVersion", "2010-04-01");
    return p;
  }

  /** An {@code application/x-www-form-urlencoded} body of the parameters, in order. */
  public static String form(Map<String, String> params) {
    StringBuilder form = new StringBuilder();
    params.forEach(
        (k, v) ->
            form.append(form.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return form.toString();
  }
}

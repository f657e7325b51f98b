package io.omnirouter.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.email.MailgunConnector;
import io.omnirouter.connectors.email.ReplayGuard;
import io.omnirouter.connectors.line.LineConnector;
import io.omnirouter.connectors.meta.MessengerConnector;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelConnector;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.connectors.telegram.TelegramConnector;
import io.omnirouter.connectors.twilio.TwilioConnector;
import io.omnirouter.connectors.viber.ViberConnector;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.MessageContent;
import io.omnirouter.core.model.ProviderError;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Messenger/Instagram, Telegram, LINE, Viber, Twilio, Mailgun with documented payload shapes. */
class OtherChannelsTest {
  final Instant now = Instant.parse("2026-11-22T10:00:00Z");

  List<Inbound> accept(ChannelConnector c, WebhookRequest req, AccountSettings a)
      throws WebhookException {
    c.verify(req, a);
    return c.parse(req, a, now);
  }

  int refused(ChannelConnector c, WebhookRequest req, AccountSettings a) {
    return assertThrows(WebhookException.class, () -> accept(c, req, a)).status();
  }

  static WebhookRequest metaSigned(String body) {
    return Requests.post(
        body,
        "application/json",
        Map.of(
            "X-Hub-Signature-256",
            "sha256=" + Signatures.hmacSha256Hex("s", body.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void messengerMessagesPostbacksDeliveriesAndEchoes() throws Exception {
    var a = Requests.account("app-secret = s, verify-token = v");
    String body =
        "{\"object\":\"page\",\"entry\":[{\"id\":\"PAGE_ID\",\"time\":1458692752478,\"messaging\":["
            + "{\"sender\":{\"id\":\"1254459154682919\"},\"recipient\":{\"id\":\"PAGE_ID\"},\"timestamp\":1458692752478,\"message\":{\"mid\":\"m_1\",\"text\":\"hello, world!\"}},"
            + "{\"sender\":{\"id\":\"PAGE_ID\"},\"recipient\":{\"id\":\"1254459154682919\"},\"timestamp\":1458692752479,\"message\":{\"mid\":\"m_2\",\"is_echo\":true,\"app_id\":1517776481860111,\"text\":\"our reply\"}},"
            + "{\"sender\":{\"id\":\"1254459154682919\"},\"recipient\":{\"id\":\"PAGE_ID\"},\"timestamp\":1458692752480,\"message\":{\"mid\":\"m_3\",\"attachments\":[{\"type\":\"image\",\"payload\":{\"url\":\"https://scontent.xx/1.jpg\"}}]}},"
            + "{\"sender\":{\"id\":\"1254459154682919\"},\"recipient\":{\"id\":\"PAGE_ID\"},\"timestamp\":1458692752481,\"postback\":{\"title\":\"Get Started\",\"payload\":\"GET_STARTED\",\"mid\":\"m_4\"}},"
            + "{\"sender\":{\"id\":\"1254459154682919\"},\"recipient\":{\"id\":\"PAGE_ID\"},\"delivery\":{\"mids\":[\"m_9\"],\"watermark\":1458668856253}}]}]}";
    List<Inbound> in = accept(MessengerConnector.messenger(), metaSigned(body), a);
    assertEquals(4, in.size(), "the echo of our own send is not a customer message");
    assertEquals("hello, world!", ((Inbound.Message) in.get(0)).message().text());
    assertEquals(
        MessageContent.Type.IMAGE, ((Inbound.Message) in.get(1)).message().content().type());
    assertEquals("GET_STARTED", ((Inbound.Message) in.get(2)).message().content().replyId());
    assertEquals("m_9", ((Inbound.Status) in.get(3)).providerMessageId());
    String ig = body.replace("\"object\":\"page\"", "\"object\":\"instagram\"");
    assertEquals(4, accept(MessengerConnector.instagram(), metaSigned(ig), a).size());
    assertEquals(400, refused(MessengerConnector.instagram(), metaSigned(body), a));
  }

  @Test
  void telegramSecretTokenMessagesAndCallbacks() throws Exception {
    var a = Requests.account("secret-token = tg-secret");
    String body =
        "{\"update_id\":10000,\"message\":{\"date\":1441645532,\"chat\":{\"last_name\":\"Test Lastname\",\"id\":1111111,\"first_name\":\"Test\",\"username\":\"Test\",\"type\":\"private\"},"
            + "\"message_id\":1365,\"from\":{\"last_name\":\"Test Lastname\",\"id\":1111111,\"first_name\":\"Test\",\"username\":\"Test\"},\"text\":\"/start\"}}";
    var ok =
        Requests.post(
            body, "application/json", Map.of("X-Telegram-Bot-Api-Secret-Token", "tg-secret"));
    Inbound.Message m = (Inbound.Message) accept(new TelegramConnector(), ok, a).get(0);
    assertEquals("1111111:1365", m.message().providerMessageId());
    assertEquals("Test Test Lastname", m.displayName());
    assertEquals(
        401,
        refused(
            new TelegramConnector(),
            Requests.post(
                body, "application/json", Map.of("X-Telegram-Bot-Api-Secret-Token", "nope")),
            a));
    assertEquals(
        401,
        refused(new TelegramConnector(), Requests.post(body, "application/json", Map.of()), a));
    String photo =
        "{\"update_id\":10001,\"message\":{\"date\":1441645532,\"chat\":{\"id\":1111111,\"type\":\"private\"},\"message_id\":1366,"
            + "\"from\":{\"id\":1111111,\"first_name\":\"Test\"},\"photo\":[{\"file_id\":\"small\",\"width\":90},{\"file_id\":\"big\",\"width\":1280}],\"caption\":\"receipt\"}}";
    MessageContent c =
        ((Inbound.Message)
                accept(
                        new TelegramConnector(),
                        Requests.post(
                            photo,
                            "application/json",
                            Map.of("X-Telegram-Bot-Api-Secret-Token", "tg-secret")),
                        a)
                    .get(0))
            .message()
            .content();
    assertEquals("big", c.mediaId());
    String cb =
        "{\"update_id\":10002,\"callback_query\":{\"id\":\"4382bfdwdsb323b2d9\",\"from\":{\"id\":1111111,\"first_name\":\"Test\"},\"data\":\"order:42\",\"message\":{\"message_id\":7,\"chat\":{\"id\":1111111},\"text\":\"Pick one\"}}}";
    Inbound.Message q =
        (Inbound.Message)
            accept(
                    new TelegramConnector(),
                    Requests.post(
                        cb,
                        "application/json",
                        Map.of("X-Telegram-Bot-Api-Secret-Token", "tg-secret")),
                    a)
                .get(0);
    assertEquals("order:42", q.message().content().replyId());
  }

  @Test
  void lineMessagesFollowsAndTheVerifyCall() throws Exception {
    var a = Requests.account("channel-secret = line-secret");
    String body =
        "{\"destination\":\"xxxxxxxxxx\",\"events\":[{\"replyToken\":\"nHuyWiB7yP5Zw52FIkcQobQuGDXCTA\",\"type\":\"message\",\"mode\":\"active\",\"timestamp\":1462629479859,"
            + "\"source\":{\"type\":\"user\",\"userId\":\"U4af4980629\"},\"webhookEventId\":\"01FZ74A0TDDPYRVKNK77XKC3ZR\",\"deliveryContext\":{\"isRedelivery\":false},"
            + "\"message\":{\"id\":\"444573844083572737\",\"type\":\"text\",\"quoteToken\":\"q3Plxr4AgKd\",\"text\":\"Hello, world! (love)\"}},"
            + "{\"type\":\"follow\",\"mode\":\"active\",\"timestamp\":1462629479860,\"source\":{\"type\":\"user\",\"userId\":\"U4af4980629\"},\"webhookEventId\":\"01FZ74A0TDDPYRVKNK77XKC3ZS\",\"deliveryContext\":{\"isRedelivery\":false},\"replyToken\":\"x\"}]}";
    var req =
        Requests.post(
            body,
            "application/json",
            Map.of(
                "X-Line-Signature",
                Signatures.hmacSha256Base64("line-secret", body.getBytes(StandardCharsets.UTF_8))));
    List<Inbound> in = accept(new LineConnector(), req, a);
    assertEquals("444573844083572737", ((Inbound.Message) in.get(0)).message().providerMessageId());
    assertEquals("follow", ((Inbound.Event) in.get(1)).kind());
    assertEquals(
        "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA", ((Inbound.Message) in.get(0)).message().replyToken());
    String verify = "{\"destination\":\"x\",\"events\":[]}";
    var v =
        Requests.post(
            verify,
            "application/json",
            Map.of(
                "X-Line-Signature",
                Signatures.hmacSha256Base64(
                    "line-secret", verify.getBytes(StandardCharsets.UTF_8))));
    assertTrue(accept(new LineConnector(), v, a).isEmpty());
  }

  @Test
  void viberMessageTokensBeyondTwoToTheFiftyThreeStayExact() throws Exception {
    var a = Requests.account("auth-token = vt");
    String body =
        "{\"event\":\"message\",\"timestamp\":1457764197627,\"message_token\":4912661846655238145,"
            + "\"sender\":{\"id\":\"01234567890A=\",\"name\":\"John McClane\",\"avatar\":\"http://avatar.example.com\",\"country\":\"UK\",\"language\":\"en\",\"api_version\":1},"
            + "\"message\":{\"type\":\"text\",\"text\":\"a message to the service\",\"tracking_data\":\"tracking data\"}}";
    var req =
        Requests.post(
            body,
            "application/json",
            Map.of(
                "X-Viber-Content-Signature",
                Signatures.hmacSha256Hex("vt", body.getBytes(StandardCharsets.UTF_8))));
    Inbound.Message m = (Inbound.Message) accept(new ViberConnector(), req, a).get(0);
    assertEquals("4912661846655238145", m.message().providerMessageId());
    String failed =
        "{\"event\":\"failed\",\"timestamp\":1457764197627,\"message_token\":4912661846655238145,\"user_id\":\"01234567890A=\",\"desc\":\"failure description\"}";
    var f =
        Requests.post(
            failed,
            "application/json",
            Map.of(
                "X-Viber-Content-Signature",
                Signatures.hmacSha256Hex("vt", failed.getBytes(StandardCharsets.UTF_8))));
    assertEquals(
        Inbound.DeliveryStatus.FAILED,
        ((Inbound.Status) accept(new ViberConnector(), f, a).get(0)).status());
  }

  @Test
  void twilioSmsStopKeywordAndStatusCallbacks() throws Exception {
    var a =
        Requests.account(
            "auth-token = tw, webhook-url = \"https://router.example.com/webhooks/sms/acct\"");
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ToCountry", "US");
    p.put("SmsMessageSid", "SMbe794ce78f6b9fdf853d2acb76c080db");
    p.put("NumMedia", "0");
    p.put("MessageSid", "SMbe794ce78f6b9fdf853d2acb76c080db");
    p.put("AccountSid", "AC123");
    p.put("From", "+16505551199");
    p.put("To", "+16505558225");
    p.put("Body", "Stop");
    p.put("ApiVersion", "2010-04-01");
    WebhookRequest req = twilio(p, "tw");
    List<Inbound> in = accept(new TwilioConnector(), req, a);
    assertEquals(
        "SMbe794ce78f6b9fdf853d2acb76c080db",
        ((Inbound.Message) in.get(0)).message().providerMessageId());
    assertEquals("opt-out", ((Inbound.Event) in.get(1)).kind());
    assertEquals(401, refused(new TwilioConnector(), twilio(p, "other-token"), a));

    Map<String, String> status =
        new LinkedHashMap<>(
            Map.of(
                "MessageSid",
                "SM1",
                "MessageStatus",
                "undelivered",
                "ErrorCode",
                "30003",
                "To",
                "+16505551199"));
    Inbound.Status s =
        (Inbound.Status) accept(new TwilioConnector(), twilio(status, "tw"), a).get(0);
    assertEquals(ProviderError.Outcome.RECIPIENT_UNREACHABLE, s.error().outcome());
  }

  static WebhookRequest twilio(Map<String, String> params, String token) {
    StringBuilder form = new StringBuilder();
    params.forEach(
        (k, v) ->
            form.append(form.length() == 0 ? "" : "&")
                .append(k)
                .append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8)));
    String sig =
        TwilioConnector.signature(token, "https://router.example.com/webhooks/sms/acct", params);
    return Requests.post(
        form.toString(), "application/x-www-form-urlencoded", Map.of("X-Twilio-Signature", sig));
  }

  @Test
  void mailgunMultipartFreshnessAndTokenReplay() throws Exception {
    var a = Requests.account("signing-key = mg-key");
    Clock clock = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
    MailgunConnector mg = new MailgunConnector(clock, new ReplayGuard(100));
    WebhookRequest req = mailgun("1800000000", "tok-1", "mg-key");
    Inbound.Message m = (Inbound.Message) accept(mg, req, a).get(0);
    assertEquals("<CAJx=1@mail.example.com>", m.message().providerMessageId());
    assertEquals("ann@example.com", m.message().senderId());
    assertEquals("Ann Lee", m.displayName());
    assertEquals("Re: Order 42", m.message().content().subject());
    assertEquals(List.of("<a@x>", "<b@x>"), m.message().content().references());
    assertEquals("<b@x>", m.message().content().inReplyTo());
    mg.acknowledged(req, a);
    assertEquals(401, refused(mg, req, a), "a token is accepted once");
    assertEquals(401, refused(mg, mailgun("1799990000", "tok-2", "mg-key"), a), "stale timestamp");
    assertEquals(401, refused(mg, mailgun("1800000000", "tok-3", "wrong"), a));
  }

  static WebhookRequest mailgun(String timestamp, String token, String key) {
    String sig =
        Signatures.hmacSha256Hex(key, (timestamp + token).getBytes(StandardCharsets.UTF_8));
    String boundary = "----b0undary";
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("recipient", "support@demo.example.com");
    fields.put("sender", "ann@example.com");
    fields.put("from", "Ann Lee <Ann@Example.com>");
    fields.put("subject", "Re: Order 42");
    fields.put("body-plain", "Hi,\nwhere is it?\n\n> quoted");
    fields.put("stripped-text", "Hi,\nwhere is it?");
    fields.put("Message-Id", "<CAJx=1@mail.example.com>");
    fields.put("In-Reply-To", "<b@x>");
    fields.put("References", "<a@x> <b@x>");
    fields.put("timestamp", timestamp);
    fields.put("token", token);
    fields.put("signature", sig);
    StringBuilder body = new StringBuilder();
    fields.forEach(
        (k, v) ->
            body.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"")
                .append(k)
                .append("\"\r\n\r\n")
                .append(v)
                .append("\r\n"));
    body.append("--")
        .append(boundary)
        .append(
            "\r\nContent-Disposition: form-data; name=\"attachment-1\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile\r\n");
    body.append("--").append(boundary).append("--\r\n");
    return Requests.post(body.toString(), "multipart/form-data; boundary=" + boundary, Map.of());
  }
}

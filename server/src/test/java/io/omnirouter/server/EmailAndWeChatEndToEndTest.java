package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.loadtest.sim.ProviderSimulator;
import io.omnirouter.loadtest.sim.WeChatWebhooks;
import io.omnirouter.persistence.testkit.TestCassandra;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** E-mail (Mailgun in, SMTP out, threaded) and WeChat safe mode (in, customer-service API out). */
class EmailAndWeChatEndToEndTest {
  static final String AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  @RegisterExtension static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP);

  @Test
  void emailAndWeChat() throws Exception {
    String ws = "ew" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    ActorSystem<Void> simSystem = ActorSystem.create(Behaviors.empty(), "simulator");
    try (ProviderSimulator sim = new ProviderSimulator(simSystem, "wx-token", "tg");
        InProcessRouter router =
            new InProcessRouter("ew", TestCassandra.config(workspace(ws, sim.baseUrl())))) {

      // e-mail: signed Mailgun post → stored → reply over SMTP, threaded under the customer's mail
      String customer = "ann." + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
      var mail =
          mailgun(
              customer,
              "<m1-" + UUID.randomUUID() + "@mail.example.com>",
              "Order 42",
              "Where is it?",
              "mg-key");
      assertEquals(
          200,
          router
              .post("/webhooks/email/mail-" + ws, mail.contentType(), mail.body(), Map.of())
              .statusCode());
      String contact = router.contactOf(ws, IdentityKey.email(customer));
      assertInstanceOf(
          Conversation.ReplyAccepted.class,
          reply(router, ws, contact, "mail-reply-1", Channel.EMAIL, "It ships today."));
      await().atMost(Duration.ofSeconds(20)).until(() -> smtp.getReceivedMessages().length == 1);
      MimeMessage got = smtp.getReceivedMessages()[0];
      assertEquals("Re: Order 42", got.getSubject());
      assertEquals(mail.messageId(), got.getHeader("In-Reply-To")[0]);
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertEquals(
                      "sent", router.conversation(ws, contact).replyStates().get("mail-reply-1")));
      // the customer answers our mail: same thread
      var answer =
          mailgun(
              customer,
              "<m2-" + UUID.randomUUID() + "@mail.example.com>",
              "Re: Order 42",
              "Thanks!",
              "mg-key");
      assertEquals(
          200,
          router
              .post("/webhooks/email/mail-" + ws, answer.contentType(), answer.body(), Map.of())
              .statusCode());
      assertEquals(
          3,
          router.conversation(ws, contact).messageCount(),
          "mail, our reply, their answer: one thread");

      // a colleague answers our mail from another address: In-Reply-To names the thread
      String colleague = "bob." + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
      var fromColleague =
          mailgun(
              colleague,
              "<m3-" + UUID.randomUUID() + "@mail.example.com>",
              "Re: Order 42",
              "I am her colleague",
              "mg-key",
              got.getMessageID());
      assertEquals(
          200,
          router
              .post(
                  "/webhooks/email/mail-" + ws,
                  fromColleague.contentType(),
                  fromColleague.body(),
                  Map.of())
              .statusCode());
      assertEquals(contact, router.contactOf(ws, IdentityKey.email(colleague)));
      assertEquals(4, router.conversation(ws, contact).messageCount());

      // WeChat safe mode in, customer-service message out
      String openId = "o" + UUID.randomUUID().toString().replace("-", "").substring(0, 27);
      String xml =
          WeChatWebhooks.text(
              openId,
              Long.toString(6054768590064713728L + new java.util.Random().nextInt(1_000_000)),
              System.currentTimeMillis() / 1000,
              "你好");
      var signed =
          WeChatWebhooks.safe("tok", AES, "wxapp", openId, xml, "1409735669", "1320562132");
      var ok =
          router.post(
              "/webhooks/wechat/wx-" + ws + signed.query(), "text/xml", signed.body(), Map.of());
      assertEquals("success", ok.body());
      String wxContact = router.contactOf(ws, IdentityKey.of(Channel.WECHAT, "wx-" + ws, openId));
      reply(router, ws, wxContact, "wx-reply-1", Channel.WECHAT, "您好！");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertEquals(
                      "sent", router.conversation(ws, wxContact).replyStates().get("wx-reply-1")));
      assertTrue(
          sim.sent().stream()
              .anyMatch(
                  s ->
                      s.provider().equals("wechat")
                          && s.to().equals(openId)
                          && "您好！".equals(s.text())));

      sim.failNext(ProviderSimulator.Failure.WINDOW_CLOSED, 1);
      reply(router, ws, wxContact, "wx-reply-2", Channel.WECHAT, "还在吗？");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                String state = router.conversation(ws, wxContact).replyStates().get("wx-reply-2");
                assertTrue(
                    state != null && state.startsWith("failed: window_closed (45015"),
                    String.valueOf(state));
              });
    } finally {
      simSystem.terminate();
      simSystem.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static Conversation.ReplyResult reply(
      InProcessRouter router, String ws, String contact, String id, Channel channel, String text)
      throws Exception {
    return router
        .core
        .conversation(ws, contact)
        .<Conversation.ReplyResult>ask(
            r -> new Conversation.SendReply(id, channel, OutboundContent.text(text), "a1", r),
            InProcessRouter.T)
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  record Mail(String contentType, byte[] body, String messageId) {}

  static Mail mailgun(String from, String messageId, String subject, String text, String key) {
    return mailgun(from, messageId, subject, text, key, null);
  }

  static Mail mailgun(
      String from, String messageId, String subject, String text, String key, String inReplyTo) {
    String timestamp = Long.toString(System.currentTimeMillis() / 1000);
    String token = UUID.randomUUID().toString().replace("-", "");
    Map<String, String> f = new LinkedHashMap<>();
    f.put("from", "Ann Lee <" + from + ">");
    f.put("recipient", "support@demo.example.com");
    f.put("subject", subject);
    f.put("body-plain", text);
    f.put("stripped-text", text);
    f.put("Message-Id", messageId);
    if (inReplyTo != null) {
      f.put("In-Reply-To", inReplyTo);
      f.put("References", inReplyTo);
    }
    f.put("timestamp", timestamp);
    f.put("token", token);
    f.put(
        "signature",
        Signatures.hmacSha256Hex(key, (timestamp + token).getBytes(StandardCharsets.UTF_8)));
    String boundary = "b-" + token;
    StringBuilder b = new StringBuilder();
    f.forEach(
        (k, v) ->
            b.append("--")
                .append(boundary)
                .append("\r\nContent-Disposition: form-data; name=\"")
                .append(k)
                .append("\"\r\n\r\n")
                .append(v)
                .append("\r\n"));
    b.append("--").append(boundary).append("--\r\n");
    return new Mail(
        "multipart/form-data; boundary=" + boundary,
        b.toString().getBytes(StandardCharsets.UTF_8),
        messageId);
  }

  static String workspace(String ws, String simBase) {
    return "omnirouter.workspaces."
        + ws
        + " {\n"
        + " name = EW\n"
        + " teams = [ { id = support, name = Support, strategy = least-loaded } ]\n"
        + " agents = [ { id = a1, name = A, teams = [support], capacity = 2 } ]\n"
        + " channels = [\n"
        + "  { channel = email, account = \"mail-"
        + ws
        + "\", default-team = support, signing-key = mg-key,\n"
        + "    smtp-host = 127.0.0.1, smtp-port = "
        + ServerSetupTest.SMTP.getPort()
        + ", smtp-starttls = false, from-address = \"support@demo.example.com\" }\n"
        + "  { channel = wechat, account = \"wx-"
        + ws
        + "\", default-team = support, token = tok, app-id = wxapp, encoding-aes-key = \""
        + AES
        + "\",\n"
        + "    access-token = wx-token, api-base-url = \""
        + simBase
        + "\" }\n"
        + " ]\n}\n";
  }
}

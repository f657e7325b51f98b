package io.omnirouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.loadtest.sim.WeChatWebhooks;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signed provider webhooks through the HTTP route into the real Cassandra: a 200 means stored, a
 * redelivery stores nothing new, and every refused request (401/400/413/404) stores nothing.
 */
class WebhookIngestTest {
  static final String AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  static String ws;
  static InProcessRouter router;

  @BeforeAll
  static void start() throws Exception {
    ws = "wh" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String conf =
        "omnirouter.workspaces."
            + ws
            + " {\n"
            + " name = Hooks\n"
            + " teams = [ { id = support, name = Support, strategy = least-loaded } ]\n"
            + " agents = [ { id = a1, name = A, teams = [support], capacity = 2 } ]\n"
            + " channels = [\n"
            + "  { channel = whatsapp, account = \"wa-"
            + ws
            + "\", default-team = support, app-secret = s3cret, verify-token = vt }\n"
            + "  { channel = wechat, account = \"wx-"
            + ws
            + "\", default-team = support, token = tok, app-id = wxapp, encoding-aes-key = \""
            + AES
            + "\" }\n"
            + " ]\n}\n"
            + "omnirouter.webhooks.max-body-size = 64k\n";
    router = new InProcessRouter("webhooks", TestCassandra.config(conf));
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  static String wa(String from, String id, String text) {
    return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\","
        + "\"metadata\":{\"display_phone_number\":\"15550783881\",\"phone_number_id\":\"106540352242922\"},"
        + "\"contacts\":[{\"profile\":{\"name\":\"Kim\"},\"wa_id\":\""
        + from
        + "\"}],"
        + "\"messages\":[{\"from\":\""
        + from
        + "\",\"id\":\""
        + id
        + "\",\"timestamp\":\"1763800000\",\"type\":\"text\",\"text\":{\"body\":\""
        + text
        + "\"}}]},"
        + "\"field\":\"messages\"}]}]}";
  }

  static Map<String, String> sig(String body) {
    return Map.of(
        "X-Hub-Signature-256",
        "sha256=" + Signatures.hmacSha256Hex("s3cret", body.getBytes(StandardCharsets.UTF_8)));
  }

  static String phone() {
    return "4917" + (100000000 + new java.util.Random().nextInt(899999999));
  }

  String waPath() {
    return "/webhooks/whatsapp/wa-" + ws;
  }

  @Test
  void aSignedWebhookIsStoredBeforeTheTwoHundredAndARedeliveryStoresNothingNew() throws Exception {
    String from = phone();
    String body = wa(from, "wamid." + UUID.randomUUID(), "hello");
    var first =
        router.post(waPath(), "application/json", body.getBytes(StandardCharsets.UTF_8), sig(body));
    assertEquals(200, first.statusCode(), first.body());
    String contact = router.contactOf(ws, IdentityKey.phone(from));
    Conversation.Summary stored = router.conversation(ws, contact);
    assertEquals(1, stored.messageCount());

    var again =
        router.post(waPath(), "application/json", body.getBytes(StandardCharsets.UTF_8), sig(body));
    assertEquals(200, again.statusCode(), "a redelivery is acknowledged");
    assertEquals(1, router.conversation(ws, contact).messageCount(), "and stores nothing");

    String second = wa(from, "wamid." + UUID.randomUUID(), "second");
    assertEquals(
        200,
        router
            .post(
                waPath(), "application/json", second.getBytes(StandardCharsets.UTF_8), sig(second))
            .statusCode());
    assertEquals(2, router.conversation(ws, contact).messageCount());
  }

  @Test
  void refusedRequestsStoreNothing() throws Exception {
    String from = phone();
    String body = wa(from, "wamid." + UUID.randomUUID(), "hello");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

    var forged =
        router.post(
            waPath(),
            "application/json",
            bytes,
            Map.of("X-Hub-Signature-256", "sha256=" + "0".repeat(64)));
    assertEquals(401, forged.statusCode());
    assertTrue(forged.body().contains("\"status\":401"), forged.body());
    assertEquals(401, router.post(waPath(), "application/json", bytes, Map.of()).statusCode());
    String resigned = body.replace("hello", "hell0");
    assertEquals(
        401,
        router
            .post(
                waPath(), "application/json", resigned.getBytes(StandardCharsets.UTF_8), sig(body))
            .statusCode());

    String truncated = body.substring(0, body.length() - 10);
    assertEquals(
        400,
        router
            .post(
                waPath(),
                "application/json",
                truncated.getBytes(StandardCharsets.UTF_8),
                sig(truncated))
            .statusCode());
    String noId = body.replaceFirst("\"id\":\"wamid\\.[^\"]+\",", "");
    assertEquals(
        400,
        router
            .post(waPath(), "application/json", noId.getBytes(StandardCharsets.UTF_8), sig(noId))
            .statusCode());

    String huge = wa(from, "wamid." + UUID.randomUUID(), "x".repeat(70_000));
    assertEquals(
        413,
        router
            .post(waPath(), "application/json", huge.getBytes(StandardCharsets.UTF_8), sig(huge))
            .statusCode());
    assertEquals(
        404,
        router
            .post("/webhooks/whatsapp/nobody", "application/json", bytes, sig(body))
            .statusCode());
    assertEquals(
        404,
        router
            .post("/webhooks/carrier-pigeon/x", "application/json", bytes, sig(body))
            .statusCode());

    assertNull(
        router.contactOf(ws, IdentityKey.phone(from)),
        "no identity, no contact, no conversation was stored");
  }

  @Test
  void weChatSafeModeEndToEndAndHostileXml() throws Exception {
    String openId = "o" + UUID.randomUUID().toString().replace("-", "").substring(0, 27);
    String msgId = Long.toString(6054768590064713728L + new java.util.Random().nextInt(1_000_000));
    var signed =
        WeChatWebhooks.safe(
            "tok",
            AES,
            "wxapp",
            openId,
            WeChatWebhooks.text(openId, msgId, 1409735668, "你好"),
            "1409735669",
            "1320562132");
    var ok =
        router.post(
            "/webhooks/wechat/wx-" + ws + signed.query(), "text/xml", signed.body(), Map.of());
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("success", ok.body());
    String contact =
        router.contactOf(
            ws, IdentityKey.of(io.omnirouter.core.model.Channel.WECHAT, "wx-" + ws, openId));
    assertEquals(1, router.conversation(ws, contact).messageCount());

    String xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><FromUserName>&xxe;</FromUserName>"
            + "<MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>";
    var plain = WeChatWebhooks.plain("tok", xxe, "1409735669", "1320562132");
    assertEquals(
        400,
        router
            .post("/webhooks/wechat/wx-" + ws + plain.query(), "text/xml", plain.body(), Map.of())
            .statusCode());
  }

  @Test
  void theGetHandshakes() throws Exception {
    var wa =
        router.get(waPath() + "?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=1158201444");
    assertEquals(200, wa.statusCode());
    assertEquals("1158201444", wa.body());
    assertEquals(
        403,
        router
            .get(waPath() + "?hub.mode=subscribe&hub.verify_token=no&hub.challenge=1")
            .statusCode());
  }
}

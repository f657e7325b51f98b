package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.loadtest.sim.ProviderSimulator;
import io.omnirouter.loadtest.sim.WhatsAppWebhooks;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Through the running router on the real Cassandra: a signed WhatsApp webhook is stored, an agent's
 * reply reaches the (simulated) Cloud API with our id as idempotency key, the provider's status
 * webhooks mark it delivered; 429s are retried, the 131047 window error is recorded on the message.
 */
class WhatsAppEndToEndTest {

  @Test
  void webhookToReplyToDeliveredStatus() throws Exception {
    String ws = "e2e" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String account = "wa-" + ws;
    String phoneId = "106540352242922";
    // a router whose WhatsApp account points at a running simulator
    var simSystem =
        org.apache.pekko.actor.typed.ActorSystem.create(
            org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "simulator");
    try (ProviderSimulator sim = new ProviderSimulator(simSystem, "EAAG-test-token", "tg");
        InProcessRouter router =
            new InProcessRouter(
                "e2e2",
                TestCassandra.config(
                    "omnirouter.outbound.min-backoff = 50ms\n"
                        + workspace(ws, account, phoneId, sim.baseUrl() + "/v21.0")))) {
      sim.sendStatusesTo(
          new ProviderSimulator.StatusTarget(
              "http://127.0.0.1:" + router.port + "/webhooks/whatsapp/" + account, "s3cret"));
      String from = "4915901112233";

      String inbound =
          WhatsAppWebhooks.message(
              phoneId,
              from,
              "Kim",
              "wamid." + UUID.randomUUID(),
              System.currentTimeMillis() / 1000,
              "Where is my order?");
      Map<String, String> sig =
          Map.of(
              "X-Hub-Signature-256",
              "sha256="
                  + Signatures.hmacSha256Hex("s3cret", inbound.getBytes(StandardCharsets.UTF_8)));
      assertEquals(
          200,
          router
              .post(
                  "/webhooks/whatsapp/" + account,
                  "application/json",
                  inbound.getBytes(StandardCharsets.UTF_8),
                  sig)
              .statusCode());
      assertEquals(
          200,
          router
              .post(
                  "/webhooks/whatsapp/" + account,
                  "application/json",
                  inbound.getBytes(StandardCharsets.UTF_8),
                  sig)
              .statusCode());
      String contact = router.contactOf(ws, IdentityKey.phone(from));
      assertEquals(
          1,
          router.conversation(ws, contact).messageCount(),
          "the redelivered webhook stored nothing new");

      // the agent replies; the simulator receives it with our id, and its status webhooks come back
      assertInstanceOf(
          Conversation.ReplyAccepted.class,
          reply(router, ws, contact, "reply-1", OutboundContent.text("It ships today.")));
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertEquals(
                      "delivered", router.conversation(ws, contact).replyStates().get("reply-1")));
      var sent = sim.sent().get(0);
      assertEquals("reply-1", sent.idempotencyKey());
      assertEquals(from, sent.to());
      assertEquals("It ships today.", sent.text());

      // two 429s, then success: retried, sent once
      sim.failNext(ProviderSimulator.Failure.RATE_LIMIT, 2);
      reply(router, ws, contact, "reply-2", OutboundContent.text("Tracking: 42"));
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertEquals(
                      "delivered", router.conversation(ws, contact).replyStates().get("reply-2")));
      assertEquals(
          1, sim.sent().stream().filter(s -> "reply-2".equals(s.idempotencyKey())).count());

      // the provider's own window error is final and visible on the message
      sim.failNext(ProviderSimulator.Failure.WINDOW_CLOSED, 1);
      reply(router, ws, contact, "reply-3", OutboundContent.text("Anything else?"));
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                String state = router.conversation(ws, contact).replyStates().get("reply-3");
                assertTrue(
                    state != null && state.startsWith("failed: window_closed (131047"),
                    String.valueOf(state));
              });
      assertEquals(0, router.conversation(ws, contact).pendingReplies());
    } finally {
      simSystem.terminate();
      simSystem.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static Conversation.ReplyResult reply(
      InProcessRouter router, String ws, String contact, String id, OutboundContent content)
      throws Exception {
    return router
        .core
        .conversation(ws, contact)
        .<Conversation.ReplyResult>ask(
            r -> new Conversation.SendReply(id, Channel.WHATSAPP, content, "a1", r),
            InProcessRouter.T)
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  static String workspace(String ws, String account, String phoneId, String apiBase) {
    return "omnirouter.workspaces."
        + ws
        + " {\n"
        + " name = E2E\n"
        + " teams = [ { id = support, name = Support, strategy = least-loaded } ]\n"
        + " agents = [ { id = a1, name = A, teams = [support], capacity = 2 } ]\n"
        + " channels = [ { channel = whatsapp, account = \""
        + account
        + "\", default-team = support, app-secret = s3cret, verify-token = vt,\n"
        + "   access-token = \"EAAG-test-token\", phone-number-id = \""
        + phoneId
        + "\", api-base-url = \""
        + apiBase
        + "\" } ]\n"
        + "}\n";
  }
}

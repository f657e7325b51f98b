package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The web-chat channel: session, WebSocket, durable acks, agent replies pushed to the visitor. */
class WebChatTest {

  @Test
  void visitorMessagesAreAcknowledgedWhenStoredAndRepliesArePushed() throws Exception {
    String ws = "wc" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String conf =
        "omnirouter.workspaces."
            + ws
            + " {\n name = WC\n teams = [ { id = support, name = S, strategy = least-loaded } ]\n"
            + " agents = [ { id = a1, name = A, teams = [support], capacity = 2 } ]\n"
            + " channels = [ { channel = webchat, account = \"web-"
            + ws
            + "\", default-team = support, session-secret = sss } ]\n}\n";
    try (InProcessRouter router = new InProcessRouter("webchat", TestCassandra.config(conf))) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "127.0.0.1:" + router.port + "/webchat/web-" + ws;
      HttpResponse<String> session =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + base + "/sessions"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, session.statusCode());
      JsonNode s = Json.MAPPER.readTree(session.body());
      String visitor = s.path("visitorId").asText();

      HttpResponse<String> forged =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://" + base + "/ws?visitor=" + visitor + "&token=00"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(401, forged.statusCode());

      LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
      WebSocket socket =
          http.newWebSocketBuilder()
              .buildAsync(
                  URI.create(
                      "ws://"
                          + base
                          + "/ws?visitor="
                          + visitor
                          + "&token="
                          + s.path("token").asText()),
                  new WebSocket.Listener() {
                    final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                      partial.append(data);
                      if (last) {
                        try {
                          frames.add(Json.MAPPER.readTree(partial.toString()));
                        } catch (Exception e) {
                          throw new IllegalStateException(e);
                        }
                        partial.setLength(0);
                      }
                      w.request(1);
                      return null;
                    }
                  })
              .get(10, TimeUnit.SECONDS);

      socket
          .sendText("{\"type\":\"message\",\"id\":\"c1\",\"text\":\"Hi, is anyone there?\"}", true)
          .get(10, TimeUnit.SECONDS);
      JsonNode ack = frames.poll(20, TimeUnit.SECONDS);
      assertEquals("ack", ack.path("type").asText(), String.valueOf(ack));
      assertEquals("c1", ack.path("id").asText());
      String contact = router.contactOf(ws, IdentityKey.of(Channel.WEBCHAT, "web-" + ws, visitor));
      assertEquals(1, router.conversation(ws, contact).messageCount(), "acknowledged means stored");

      socket
          .sendText("{\"type\":\"message\",\"id\":\"c1\",\"text\":\"Hi, is anyone there?\"}", true)
          .get(10, TimeUnit.SECONDS);
      assertTrue(
          frames.poll(20, TimeUnit.SECONDS).path("duplicate").asBoolean(),
          "a resent frame is stored once");
      socket.sendText("not json", true).get(10, TimeUnit.SECONDS);
      assertEquals(400, frames.poll(20, TimeUnit.SECONDS).path("status").asInt());

      var accepted =
          router
              .core
              .conversation(ws, contact)
              .<Conversation.ReplyResult>ask(
                  r ->
                      new Conversation.SendReply(
                          "r1",
                          Channel.WEBCHAT,
                          OutboundContent.text("Yes! How can I help?"),
                          "a1",
                          r),
                  InProcessRouter.T)
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      assertInstanceOf(Conversation.ReplyAccepted.class, accepted);
      JsonNode pushed = frames.poll(20, TimeUnit.SECONDS);
      assertEquals("message", pushed.path("type").asText());
      assertEquals("Yes! How can I help?", pushed.path("text").asText());
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertEquals("sent", router.conversation(ws, contact).replyStates().get("r1")));

      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                router
                    .core
                    .conversation(ws, contact)
                    .<Conversation.ReplyResult>ask(
                        r ->
                            new Conversation.SendReply(
                                "r2-" + UUID.randomUUID(),
                                Channel.WEBCHAT,
                                OutboundContent.text("Still there?"),
                                "a1",
                                r),
                        InProcessRouter.T)
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
                assertTrue(
                    router.conversation(ws, contact).replyStates().values().stream()
                        .anyMatch(
                            v -> v.startsWith("failed: recipient_unreachable (visitor-offline")));
              });

      HttpResponse<String> widget =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + router.port + "/webchat/widget.js"))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertEquals(200, widget.statusCode());
      assertTrue(widget.body().contains("new WebSocket(url)"));
    }
  }
}

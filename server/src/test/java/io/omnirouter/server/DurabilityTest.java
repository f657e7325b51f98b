package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1: a webhook answered 2xx is durably stored — also when the router node is killed with
 * SIGKILL in the middle of traffic. And when the journal cannot be reached, the answer is 503 with
 * Retry-After, never a 2xx for an unsaved message.
 */
class DurabilityTest {

  static String workspaceConf(String ws) {
    return "omnirouter.workspaces."
        + ws
        + " {\n"
        + " name = Durable\n"
        + " teams = [ { id = support, name = Support, strategy = least-loaded } ]\n"
        + " agents = [ { id = a1, name = A, teams = [support], capacity = 2 } ]\n"
        + " channels = [ { channel = whatsapp, account = \"wa-"
        + ws
        + "\", default-team = support, app-secret = s3cret, verify-token = vt } ]\n"
        + "}\n";
  }

  @Test
  void everyAcknowledgedWebhookSurvivesAKillNine() throws Exception {
    String ws = "kn" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    List<String> phones =
        List.of("4915200000001", "4915200000002", "4915200000003", "4915200000004");
    Map<String, String> acked = new ConcurrentHashMap<>(); // provider id -> phone
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    try (RouterProcess node = RouterProcess.start("kill9-" + ws, workspaceConf(ws))) {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> node.get("/ready").statusCode() == 200);
      CountDownLatch enough = new CountDownLatch(40);
      Thread sender =
          new Thread(
              () -> {
                for (int i = 0; i < 400 && node.alive(); i++) {
                  String phone = phones.get(i % phones.size());
                  String id = "wamid." + UUID.randomUUID();
                  String body = WebhookIngestTest.wa(phone, id, "msg " + i);
                  try {
                    HttpResponse<String> r =
                        http.send(
                            HttpRequest.newBuilder(
                                    URI.create(
                                        "http://127.0.0.1:"
                                            + node.httpPort
                                            + "/webhooks/whatsapp/wa-"
                                            + ws))
                                .timeout(Duration.ofSeconds(10))
                                .header("Content-Type", "application/json")
                                .header(
                                    "X-Hub-Signature-256",
                                    "sha256="
                                        + Signatures.hmacSha256Hex(
                                            "s3cret", body.getBytes(StandardCharsets.UTF_8)))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                      acked.put(id, phone);
                      enough.countDown();
                    }
                  } catch (Exception e) {
                    // the node died under us: not acknowledged, so nothing is promised
                  }
                }
              });
      sender.start();
      assertTrue(
          enough.await(120, TimeUnit.SECONDS), "the node acknowledged traffic before the kill");
      node.kill();
      sender.join(30_000);
    }
    assertTrue(acked.size() >= 40);

    // a fresh node (in this JVM) reads back what the killed one acknowledged
    try (InProcessRouter reader =
        new InProcessRouter("after-kill9", TestCassandra.config(workspaceConf(ws)))) {
      Set<String> found = new HashSet<>();
      for (String phone : phones) {
        String contact = reader.contactOf(ws, IdentityKey.phone(phone));
        if (contact == null) {
          continue;
        }
        Conversation.Summary s = reader.conversation(ws, contact);
        List<String> ids = new ArrayList<>(s.recentProviderIds());
        assertEquals(ids.size(), new HashSet<>(ids).size(), "nothing stored twice");
        assertEquals(s.messageCount(), ids.size(), "every stored message counted once");
        ids.forEach(k -> found.add(k.substring("whatsapp:".length())));
      }
      Set<String> lost = new HashSet<>(acked.keySet());
      lost.removeAll(found);
      assertEquals(Set.of(), lost, "acknowledged but lost after kill -9");
    }
  }

  @Test
  void withoutAReachableJournalTheAnswerIs503WithRetryAfter() throws Exception {
    String ws = "nc" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String conf =
        workspaceConf(ws)
            + "omnirouter.cassandra.contact-points = [\"127.0.0.1:1\"]\n"
            + "omnirouter.webhooks.store-timeout = 2s\n";
    try (InProcessRouter router =
        new InProcessRouter("no-cassandra", TestCassandra.config(conf), false, false)) {
      String body = WebhookIngestTest.wa("4915211111111", "wamid." + UUID.randomUUID(), "hi");
      var r =
          router.post(
              "/webhooks/whatsapp/wa-" + ws,
              "application/json",
              body.getBytes(StandardCharsets.UTF_8),
              WebhookIngestTest.sig(body));
      assertEquals(503, r.statusCode(), r.body());
      assertTrue(r.headers().firstValue("Retry-After").isPresent());
    }
  }
}

package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.core.agent.Agent;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.routing.AgentView;
import io.omnirouter.loadtest.sim.WhatsAppWebhooks;
import io.omnirouter.persistence.testkit.TestCassandra;
import io.omnirouter.server.api.ApiTokens;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two router nodes as one Pekko Cluster (separate JVMs) over the test Cassandra, traffic to both,
 * one node killed with SIGKILL mid-traffic: every webhook answered 200 is stored exactly once, the
 * surviving node serves the killed node's conversations, and no conversation has two assignees (the
 * agents' loads add up to the assigned conversations). Before the kill: a live stream on either
 * node gets the events of conversations living on the other.
 */
class ClusterFaultTest {
  static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static String workspace(String ws) {
    return "omnirouter.workspaces."
        + ws
        + " {\n name = Cluster\n"
        + " teams = [ { id = support, name = S, strategy = least-loaded } ]\n"
        + " agents = [ { id = z1, name = Z1, teams = [support], capacity = 1000 }, { id = z2, name = Z2, teams = [support], capacity = 1000 } ]\n"
        + " channels = [ { channel = whatsapp, account = \"wa-"
        + ws
        + "\", default-team = support, app-secret = s3cret, verify-token = vt } ]\n"
        + " api-tokens = [ { name = sup, role = supervisor, sha256 = \""
        + ApiTokens.sha256("sup-" + ws)
        + "\" } ]\n"
        + "}\n"
        // the survivor downs the killed node quickly (2 nodes: keep-majority would down both sides)
        + "pekko.cluster.split-brain-resolver.active-strategy = keep-oldest\n"
        + "pekko.cluster.split-brain-resolver.stable-after = 3s\n"
        // unconfirmed reservations of the killed node are settled quickly
        + "omnirouter.agent.reservation-lease = 2s\n";
  }

  static int send(int port, String ws, String phone, String wamid) {
    String body =
        WhatsAppWebhooks.message("1", phone, "C", wamid, System.currentTimeMillis() / 1000, "hi");
    try {
      return http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/webhooks/whatsapp/wa-" + ws))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .header(
                      "X-Hub-Signature-256",
                      "sha256="
                          + Signatures.hmacSha256Hex(
                              "s3cret", body.getBytes(StandardCharsets.UTF_8)))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  static void online(int port, String ws, String agent) throws Exception {
    var r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + port
                            + "/api/v1/workspaces/"
                            + ws
                            + "/agents/"
                            + agent
                            + "/presence"))
                .header("Authorization", "Bearer sup-" + ws)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"presence\":\"online\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  static SseClient stream(RouterProcess node, String ws) throws Exception {
    return new SseClient(
        http,
        "http://127.0.0.1:" + node.httpPort + "/api/v1/workspaces/" + ws + "/stream",
        "sup-" + ws,
        null);
  }

  @Test
  void killingANodeLosesNoAcknowledgedMessageAndAssignsNothingTwice() throws Exception {
    String ws = "cl" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    List<String> phones = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      phones.add("49159" + (10000000 + i) + (100 + new java.util.Random().nextInt(800)));
    }
    Map<String, String> acked = new ConcurrentHashMap<>(); // wamid -> phone
    Set<String> streamPhones = new HashSet<>();
    try (RouterProcess a = RouterProcess.start("cluster-a-" + ws, workspace(ws), -1)) {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> a.get("/ready").statusCode() == 200);
      try (RouterProcess b = RouterProcess.start("cluster-b-" + ws, workspace(ws), a.remotePort)) {
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .until(() -> b.get("/ready").statusCode() == 200);
        online(a.httpPort, ws, "z1");
        online(b.httpPort, ws, "z2");

        // a stream on either node gets every event, wherever the conversation lives
        try (var onA = stream(a, ws);
            var onB = stream(b, ws)) {
          Set<String> senders = new HashSet<>();
          for (int i = 0; i < 10; i++) {
            String phone = "49158" + (20000000 + i) + (100 + new java.util.Random().nextInt(800));
            senders.add(phone);
            streamPhones.add(phone);
            assertEquals(
                200,
                send(
                    i % 2 == 0 ? a.httpPort : b.httpPort, ws, phone, "wamid." + UUID.randomUUID()));
          }
          for (SseClient client : List.of(onA, onB)) {
            Set<String> seen = new HashSet<>();
            while (!seen.containsAll(senders)) {
              seen.add(
                  client
                      .next(e -> e.type().equals("message.received"), Duration.ofSeconds(20))
                      .data()
                      .path("sender")
                      .asText());
            }
          }
        }

        // traffic to both nodes; then B is killed while traffic continues to A
        Thread traffic =
            new Thread(
                () -> {
                  for (int i = 0; i < 240; i++) {
                    String phone = phones.get(i % phones.size());
                    String wamid = "wamid." + UUID.randomUUID();
                    int port = (i % 2 == 0 || !b.alive()) ? a.httpPort : b.httpPort;
                    if (send(port, ws, phone, wamid) == 200) {
                      acked.put(wamid, phone);
                    }
                  }
                });
        traffic.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 60);
        b.kill();
        traffic.join(180_000);
      }
      // the survivor serves the killed node's conversations again
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                for (String phone : phones.subList(0, 8)) {
                  if (send(a.httpPort, ws, phone, "wamid." + UUID.randomUUID()) != 200) {
                    return false;
                  }
                }
                return true;
              });
    }
    assertTrue(acked.size() >= 60, "acknowledged before and after the kill: " + acked.size());

    // read everything back with a fresh node (both router processes are gone)
    try (InProcessRouter reader =
        new InProcessRouter("after-cluster-kill", TestCassandra.config(workspace(ws)), false)) {
      Set<String> stored = new HashSet<>();
      int assigned = 0;
      Set<String> everyone = new HashSet<>(phones);
      everyone.addAll(streamPhones);
      for (String phone : everyone) {
        String contact = reader.contactOf(ws, IdentityKey.phone(phone));
        if (contact == null) {
          continue;
        }
        Conversation.Summary s = reader.conversation(ws, contact);
        List<String> ids = s.recentProviderIds();
        assertEquals(ids.size(), new HashSet<>(ids).size(), "nothing stored twice");
        ids.forEach(k -> stored.add(k.substring("whatsapp:".length())));
        if (s.assignee() != null) {
          assigned++;
        }
      }
      Set<String> lost = new HashSet<>(acked.keySet());
      lost.removeAll(stored);
      assertEquals(Set.of(), lost, "acknowledged but lost");
      int expected = assigned;
      // once the leases settle, the agents hold exactly the conversations assigned to them
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                int load = 0;
                for (String agent : List.of("z1", "z2")) {
                  AgentView v =
                      reader
                          .core
                          .agent(ws, agent)
                          .ask(Agent.Get::new, InProcessRouter.T)
                          .toCompletableFuture()
                          .get(30, TimeUnit.SECONDS);
                  load += v.load();
                }
                assertEquals(
                    expected,
                    load,
                    "agents' loads = assigned conversations: nothing assigned twice, nothing leaked");
              });
      assertTrue(assigned > 0, "conversations were assigned");
    }
  }
}

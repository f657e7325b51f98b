package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.loadtest.sim.WhatsAppWebhooks;
import io.omnirouter.persistence.testkit.TestCassandra;
import io.omnirouter.server.api.ApiTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The inbox API on the real Cassandra: tokens, workspace isolation, roles, replies, windows,
 * actions.
 */
class InboxApiTest {
  static String ws;
  static String other;
  static InProcessRouter router;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    String id = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    ws = "api" + id;
    other = "oth" + id;
    String conf =
        "omnirouter.workspaces."
            + ws
            + " {\n name = API\n"
            + " teams = [ { id = support, name = S, strategy = least-loaded }, { id = sales, name = Sales, strategy = manual } ]\n"
            + " agents = [ { id = a1, name = A1, teams = [support], capacity = 3 }, { id = a2, name = A2, teams = [support], capacity = 3 } ]\n"
            + " channels = [ { channel = whatsapp, account = \"wa-"
            + ws
            + "\", default-team = support, app-secret = s3cret, verify-token = vt } ]\n"
            + " api-tokens = [\n"
            + "  { name = admin, role = admin, sha256 = \""
            + ApiTokens.sha256("admin-" + id)
            + "\" }\n"
            + "  { name = sup, role = supervisor, sha256 = \""
            + ApiTokens.sha256("sup-" + id)
            + "\" }\n"
            + "  { name = a1, role = agent, agent = a1, sha256 = \""
            + ApiTokens.sha256("a1-" + id)
            + "\" }\n"
            + "  { name = a2, role = agent, agent = a2, sha256 = \""
            + ApiTokens.sha256("a2-" + id)
            + "\" }\n"
            + " ]\n}\n"
            + "omnirouter.workspaces."
            + other
            + " {\n name = Other\n teams = [ { id = support, name = S, strategy = manual } ]\n agents = []\n channels = []\n"
            + " api-tokens = [ { name = admin, role = admin, sha256 = \""
            + ApiTokens.sha256("other-" + id)
            + "\" } ]\n}\n";
    router = new InProcessRouter("inbox", TestCassandra.config(conf));
  }

  @AfterAll
  static void stop() {
    router.close();
  }

  static String token(String who) {
    return who + "-" + ws.substring(3);
  }

  static HttpResponse<String> call(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port + path))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  static String customer(long timestamp) throws Exception {
    String phone = "49157" + (10000000 + new java.util.Random().nextInt(89999999));
    String body =
        WhatsAppWebhooks.message(
            "1", phone, "Kim", "wamid." + UUID.randomUUID(), timestamp, "Hello?");
    var r =
        router.post(
            "/webhooks/whatsapp/wa-" + ws,
            "application/json",
            body.getBytes(StandardCharsets.UTF_8),
            WebhookIngestTest.sig(body));
    assertEquals(200, r.statusCode());
    return router.contactOf(ws, IdentityKey.phone(phone));
  }

  String conv(String id) {
    return "/api/v1/workspaces/" + ws + "/conversations/" + id;
  }

  @Test
  void tokensWorkspacesAndRoles() throws Exception {
    String c = customer(System.currentTimeMillis() / 1000);
    assertEquals(401, call("GET", conv(c), null, null).statusCode());
    assertEquals(401, call("GET", conv(c), "not-a-token", null).statusCode());
    var wrongWs = call("GET", conv(c), "other-" + ws.substring(3), null);
    assertEquals(
        404, wrongWs.statusCode(), "another workspace's token does not see this workspace");
    assertEquals(
        "application/problem+json", wrongWs.headers().firstValue("Content-Type").orElse(""));
    assertEquals(
        404,
        call(
                "GET",
                "/api/v1/workspaces/" + other + "/conversations/" + c,
                "other-" + ws.substring(3),
                null)
            .statusCode(),
        "nor this conversation under its own workspace");

    var view = json(call("GET", conv(c), token("sup"), null));
    assertEquals("queued", view.path("status").asText());
    assertTrue(view.path("windows").path("whatsapp").path("freeFormAllowed").asBoolean());

    // an agent sets its own presence, not another's; a supervisor sets anyone's
    assertEquals(
        403,
        call(
                "PUT",
                "/api/v1/workspaces/" + ws + "/agents/a2/presence",
                token("a1"),
                "{\"presence\":\"online\"}")
            .statusCode());
    assertEquals(
        200,
        call(
                "PUT",
                "/api/v1/workspaces/" + ws + "/agents/a2/presence",
                token("sup"),
                "{\"presence\":\"offline\"}")
            .statusCode());
    assertEquals(
        200,
        call(
                "PUT",
                "/api/v1/workspaces/" + ws + "/agents/a1/presence",
                token("a1"),
                "{\"presence\":\"online\"}")
            .statusCode());
    assertEquals(
        400,
        call(
                "PUT",
                "/api/v1/workspaces/" + ws + "/agents/a1/presence",
                token("a1"),
                "{\"presence\":\"asleep\"}")
            .statusCode());
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertEquals(
                    "a1",
                    json(call("GET", conv(c), token("sup"), null)).path("assignee").asText()));
    var assigned = json(call("GET", conv(c), token("a1"), null));
    assertEquals("least-loaded", assigned.path("assignments").path(0).path("strategy").asText());

    // only the assignee (or a supervisor) replies; notes are for anyone who sees it
    assertEquals(
        403, call("POST", conv(c) + "/messages", token("a2"), "{\"text\":\"hi\"}").statusCode());
    var reply =
        call(
            "POST",
            conv(c) + "/messages",
            token("a1"),
            "{\"id\":\"r-1\",\"text\":\"Hi Kim, how can I help?\"}");
    assertEquals(202, reply.statusCode(), reply.body());
    assertEquals("r-1", json(reply).path("messageId").asText());
    assertEquals(
        201,
        call("POST", conv(c) + "/messages", token("a2"), "{\"type\":\"note\",\"text\":\"VIP\"}")
            .statusCode());
    assertEquals(
        400,
        call(
                "POST",
                conv(c) + "/messages",
                token("a1"),
                "{\"type\":\"interactive\",\"text\":\"pick\"}")
            .statusCode());
    assertEquals(400, call("POST", conv(c) + "/messages", token("a1"), "[1]").statusCode());

    assertEquals(403, call("POST", conv(c) + "/resolve", token("a2"), "{}").statusCode());
    assertEquals(
        200, call("POST", conv(c) + "/tags", token("a1"), "{\"add\":[\"vip\"]}").statusCode());
    var resolved = json(call("POST", conv(c) + "/resolve", token("a1"), "{}"));
    assertEquals("resolved", resolved.path("status").asText());

    assertEquals(
        200,
        call("GET", "/api/v1/workspaces/" + ws + "/teams/support/queue", token("a1"), null)
            .statusCode());
    assertEquals(
        403,
        call("GET", "/api/v1/workspaces/" + ws + "/teams/sales/queue", token("a1"), null)
            .statusCode());
    assertEquals(
        200,
        call("GET", "/api/v1/workspaces/" + ws + "/teams/sales/queue", token("sup"), null)
            .statusCode());
    assertEquals(
        200,
        call("GET", "/api/v1/workspaces/" + ws + "/contacts/" + c, token("a1"), null).statusCode());
    assertEquals(
        403,
        call(
                "POST",
                "/api/v1/workspaces/" + ws + "/contacts/" + c + "/merge",
                token("a1"),
                "{\"into\":\"ct-x\"}")
            .statusCode());
  }

  @Test
  void aReplyOutsideTheWindowIs409WithTheReasonAndWhenItClosed() throws Exception {
    long twoDaysAgo = System.currentTimeMillis() / 1000 - 2 * 24 * 3600;
    String c = customer(twoDaysAgo);
    var r = call("POST", conv(c) + "/messages", token("sup"), "{\"text\":\"Sorry for the wait\"}");
    assertEquals(409, r.statusCode(), r.body());
    JsonNode p = json(r);
    assertEquals("window_closed", p.path("reason").asText());
    assertEquals("template", p.path("allowedInstead").asText());
    assertEquals(
        java.time.Instant.ofEpochSecond(twoDaysAgo).plus(Duration.ofHours(24)).toString(),
        p.path("closedAt").asText());
    var template =
        call(
            "POST",
            conv(c) + "/messages",
            token("sup"),
            "{\"type\":\"template\",\"template\":{\"name\":\"follow_up\",\"language\":\"en\",\"parameters\":[\"Kim\"]}}");
    assertEquals(202, template.statusCode(), template.body());
  }

  @Test
  void theOpenApiDocumentAndTheRoutesAgree() throws Exception {
    JsonNode doc = json(call("GET", "/api/v1/openapi.json", null, null));
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
      var e = it.next();
      String path =
          e.getKey()
              .replace("{workspace}", ws)
              .replace("{channel}", "whatsapp")
              .replace("{account}", "wa-" + ws)
              .replace("{conversation}", "ct-none")
              .replace("{agent}", "a1")
              .replace("{team}", "support")
              .replace("{contact}", "ct-none");
      for (Iterator<String> methods = e.getValue().fieldNames(); methods.hasNext(); ) {
        String method = methods.next().toUpperCase(java.util.Locale.ROOT);
        var r = call(method, path, token("admin"), method.equals("GET") ? null : "{}");
        String type = r.headers().firstValue("Content-Type").orElse("");
        boolean unrouted =
            (r.statusCode() == 404 || r.statusCode() == 405) && type.startsWith("text/plain");
        assertFalse(
            unrouted,
            method + " " + e.getKey() + " is documented but not routed (" + r.statusCode() + ")");
        checked++;
      }
    }
    assertTrue(checked >= 20, "documented operations: " + checked);
    var undocumented =
        call("GET", "/api/v1/workspaces/" + ws + "/nothing-here", token("admin"), null);
    assertEquals(404, undocumented.statusCode());
  }
}

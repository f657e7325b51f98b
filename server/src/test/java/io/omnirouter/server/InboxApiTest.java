package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The inbox API on the real Cassandra: tokens, workspace isolation, roles, replies, windows,
 * actions.
 */
class InboxApiTest extends ApiTestBase {
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
    assertEquals("Kim", view.path("contact").path("name").asText());
    assertTrue(
        view.path("contact").path("identities").get(0).asText().startsWith("phone:+49157"),
        view.toString());
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

    var supportQueue =
        json(call("GET", "/api/v1/workspaces/" + ws + "/teams/support/queue", token("a1"), null));
    assertEquals(0, supportQueue.path("length").asInt(-1));
    assertEquals(0, supportQueue.path("assignmentsInFlight").asInt(-1), supportQueue.toString());
    assertTrue(supportQueue.path("agentCounts").has("freeSlots"), supportQueue.toString());
    var onePage =
        json(
            call(
                "GET",
                "/api/v1/workspaces/" + ws + "/teams/support/queue?limit=1",
                token("a1"),
                null));
    assertEquals(1, onePage.path("agents").size(), onePage.toString());
    int counted = 0;
    for (String presence : List.of("online", "away", "offline")) {
      counted += onePage.path("agentCounts").path(presence).asInt();
    }
    assertTrue(counted > 1, "counts cover every agent, not the page: " + onePage);
    for (String limit : List.of("0", "201", "ten")) {
      var refused =
          call(
              "GET",
              "/api/v1/workspaces/" + ws + "/teams/support/queue?limit=" + limit,
              token("a1"),
              null);
      assertEquals(400, refused.statusCode(), limit);
      assertTrue(refused.body().contains("limit must be 1..200"), refused.body());
    }
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
  void anAdminListsTheWorkspacesDeadLettersAndFeedsOneAgain() throws Exception {
    String phone = "49158" + (10000000 + new java.util.Random().nextInt(89999999));
    String account = "wa-" + ws;
    var entry =
        io.omnirouter.core.ingest.IngestEntry.of(
            ws,
            io.omnirouter.core.model.Channel.WHATSAPP,
            account,
            new io.omnirouter.core.model.Inbound.Message(
                new io.omnirouter.core.model.InboundMessage(
                    io.omnirouter.core.model.Channel.WHATSAPP,
                    account,
                    "wamid.dead-" + phone,
                    phone,
                    "refused once",
                    java.time.Instant.now()),
                java.util.List.of(),
                "Dee"));
    var store = io.omnirouter.persistence.CassandraIngestStore.start(router.kit.system());
    store
        .deadLetter("p3", 42, entry, "java.lang.IllegalStateException: a bug since fixed")
        .toCompletableFuture()
        .get(30, java.util.concurrent.TimeUnit.SECONDS);

    assertEquals(403, call("GET", api("/ingest-dead-letters"), token("sup"), null).statusCode());
    JsonNode listed = json(call("GET", api("/ingest-dead-letters"), token("admin"), null));
    JsonNode letter = null;
    for (JsonNode d : listed.path("deadLetters")) {
      if (d.path("sender").asText().equals(phone)) {
        letter = d;
      }
    }
    assertTrue(letter != null, listed.toString());
    assertEquals("p3", letter.path("partition").asText());
    assertEquals("message", letter.path("kind").asText());
    assertEquals("wamid.dead-" + phone, letter.path("providerMessageId").asText());
    assertEquals(
        "java.lang.IllegalStateException: a bug since fixed", letter.path("error").asText());
    assertEquals(
        0,
        json(call(
                "GET",
                "/api/v1/workspaces/" + other + "/ingest-dead-letters",
                token("other"),
                null))
            .path("deadLetters")
            .size(),
        "another workspace's dead letters are not listed");

    String refeed = api("/ingest-dead-letters/p3/" + letter.path("id").asText() + "/refeed");
    assertEquals(403, call("POST", refeed, token("sup"), null).statusCode());
    var r = call("POST", refeed, token("admin"), null);
    assertEquals(202, r.statusCode(), r.body());
    assertTrue(
        router.contactOf(ws, io.omnirouter.core.contact.IdentityKey.phone(phone)) != null,
        "the entry reached its thread");
    assertEquals(404, call("POST", refeed, token("admin"), null).statusCode(), "fed once");
    for (JsonNode d :
        json(call("GET", api("/ingest-dead-letters"), token("admin"), null)).path("deadLetters")) {
      assertFalse(d.path("sender").asText().equals(phone), "forgotten once fed again");
    }
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
              .replace("{contact}", "ct-none")
              .replace("{partition}", "p0")
              .replace("{id}", "none");
      for (Iterator<String> methods = e.getValue().fieldNames(); methods.hasNext(); ) {
        String method = methods.next().toUpperCase(java.util.Locale.ROOT);
        var r = head(method, path, token("admin"), method.equals("GET") ? null : "{}");
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

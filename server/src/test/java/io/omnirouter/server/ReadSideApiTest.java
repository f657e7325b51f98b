package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.core.EntityIds;
import io.omnirouter.core.readside.LiveEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read side through the API on the real Cassandra: the live stream (pushed, per agent,
 * resumable by last event id), conversation lists with filters and stable cursor pages, message
 * pages with the author's own reply at once, contact search — and workspace isolation on all of
 * them.
 */
class ReadSideApiTest extends ApiTestBase {
  static final Duration PUSHED = Duration.ofSeconds(10);
  static final Duration PROJECTED = Duration.ofSeconds(40);

  @BeforeAll
  static void agentOneWorks() throws Exception {
    assertEquals(
        200,
        call("PUT", api("/agents/a1/capacity"), token("sup"), "{\"capacity\":100}").statusCode());
    assertEquals(
        200,
        call("PUT", api("/agents/a1/presence"), token("sup"), "{\"presence\":\"online\"}")
            .statusCode());
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static String phone() {
    return "49158" + (10000000 + new java.util.Random().nextInt(89999999));
  }

  static String url(String path) {
    return "http://127.0.0.1:" + router.port + path;
  }

  static SseClient stream(String who, String lastEventId) throws Exception {
    return new SseClient(http, url(api("/stream")), token(who), lastEventId);
  }

  static boolean about(SseClient.Event e, String type, String conversation) {
    return e.type().equals(type) && e.data().path("conversationId").asText().equals(conversation);
  }

  static JsonNode get(String path, String who) throws Exception {
    var r = call("GET", path, token(who), null);
    assertEquals(200, r.statusCode(), r.body());
    return json(r);
  }

  @Test
  void aWebhookIsPushedToTheWorkspaceStreamAndToTheAssignedAgentButNotToOtherAgents()
      throws Exception {
    try (var sup = stream("sup", null);
        var a1 = stream("a1", null);
        var a2 = stream("a2", null)) {
      String c = say(phone(), "Ana", "my order is late", now());
      var received = sup.next(e -> about(e, "message.received", c), PUSHED);
      assertEquals("my order is late", received.data().path("text").asText());
      assertEquals(
          received.id(),
          LiveEvent.id(
              Instant.parse(received.data().path("at").asText()),
              received.data().path("sequenceNr").asLong(),
              EntityIds.of(ws, c)));
      var assigned = a1.next(e -> about(e, "conversation.assigned", c), PUSHED);
      assertEquals("a1", assigned.data().path("agent").asText());
      assertTrue(
          a2.drain(Duration.ofSeconds(2)).stream()
              .noneMatch(e -> e.data().path("conversationId").asText().equals(c)),
          "another agent's conversation is not on a2's stream");
    }
    assertEquals(401, call("GET", api("/stream"), null, null).statusCode());
    assertEquals(
        404,
        call("GET", api("/stream"), "other-" + ws.substring(3), null).statusCode(),
        "another workspace's token does not see this workspace's stream");
    assertEquals(
        400, call("GET", api("/stream?lastEventId=yesterday"), token("sup"), null).statusCode());
  }

  @Test
  void aClientReconnectingWithItsLastEventIdGetsWhatItMissedAndTheStreamTableKeepsIt()
      throws Exception {
    String phone = phone();
    String c;
    String lastSeen;
    try (var sup = stream("sup", null)) {
      c = say(phone, "Bo", "one", now());
      lastSeen = sup.next(e -> about(e, "message.received", c), PUSHED).id();
    }
    // disconnected while these arrive
    say(phone, "Bo", "two", now());
    say(phone, "Bo", "three", now());
    try (var again = stream("sup", lastSeen)) {
      var two = again.next(e -> about(e, "message.received", c), PUSHED);
      var three = again.next(e -> about(e, "message.received", c), PUSHED);
      assertEquals("two", two.data().path("text").asText());
      assertEquals("three", three.data().path("text").asText());
      assertTrue(two.id().compareTo(lastSeen) > 0);
    }

    // the projection stores the same events under the same ids, for clients that come back to a
    // node that did not see them live
    Instant from = LiveEvent.timeOf(lastSeen).minusSeconds(1);
    await()
        .atMost(PROJECTED)
        .untilAsserted(
            () -> {
              List<String> texts = new ArrayList<>();
              Set<String> ids = new HashSet<>();
              for (LiveEvent e :
                  router
                      .readSide
                      .store()
                      .streamSince(ws, from)
                      .toCompletableFuture()
                      .get(10, TimeUnit.SECONDS)) {
                if (e.conversationId().equals(EntityIds.of(ws, c))
                    && e.type().equals("message.received")) {
                  texts.add(json(e.data()).path("text").asText());
                  ids.add(e.id());
                }
              }
              assertEquals(List.of("one", "two", "three"), texts);
              assertTrue(ids.contains(lastSeen));
            });
    assertFalse(router.readSide.lagMillis().isEmpty(), "projection lag is measured");
  }

  @Test
  void anOpenConversationWhoseWindowClosesWithinTheHourIsAnnouncedToItsAgent() throws Exception {
    try (var a1 = stream("a1", null)) {
      // the customer wrote 23 h 50 min ago (as the provider's timestamp says): 10 minutes left
      long sent = now() - Duration.ofHours(24).toSeconds() + 600;
      String c = say(phone(), "Wi", "still there?", sent);
      var warning = a1.next(e -> about(e, "window.closing", c), PROJECTED);
      assertEquals("whatsapp", warning.data().path("channel").asText());
      assertEquals(
          Instant.ofEpochSecond(sent).plus(Duration.ofHours(24)),
          Instant.parse(warning.data().path("closesAt").asText()));
      assertEquals("a1", warning.data().path("assignee").asText());
    }
  }

  @Test
  void aSnoozedConversationWhoseTimerLeftWithItsNodeIsWokenAtItsEnd() throws Exception {
    String c = say(phone(), "Zz", "tomorrow, please", now());
    String id = EntityIds.of(ws, c);
    await().atMost(PROJECTED).until(() -> "assigned".equals(status(id)));
    Instant until = Instant.now().plusSeconds(3);
    assertEquals(
        200,
        call(
                "POST",
                api("/conversations/" + c + "/snooze"),
                token("sup"),
                "{\"until\":\"" + until + "\"}")
            .statusCode());
    // its node leaves (a rolling restart, a crash): the entity stops and its timer with it, and
    // nothing sends it a message that would start it again
    router
        .core
        .conversationById(id)
        .tell(io.omnirouter.core.conversation.Conversation.Passivate.INSTANCE);
    // only the window watch can wake it now (reading the read side does not start the entity)
    Instant since = until.minusSeconds(60);
    await()
        .atMost(PROJECTED)
        .until(
            () ->
                router
                    .readSide
                    .store()
                    .streamSince(ws, since)
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .stream()
                    .anyMatch(
                        e ->
                            e.conversationId().equals(id) && e.type().equals("conversation.woke")));
    assertEquals("assigned", status(id));
  }

  static String status(String conversationId) throws Exception {
    return router
        .readSide
        .store()
        .digest(conversationId)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .map(d -> d.status())
        .orElse(null);
  }

  @Test
  void pagesStayStableWhileMessagesAndNewConversationsArrive() throws Exception {
    String tag = "page" + now();
    List<String> phones = new ArrayList<>();
    Set<String> tagged = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      String p = phone();
      phones.add(p);
      String c = say(p, "P" + i, "first", now());
      tagged.add(c);
      assertEquals(
          200,
          call(
                  "POST",
                  api("/conversations/" + c + "/tags"),
                  token("sup"),
                  "{\"add\":[\"" + tag + "\"]}")
              .statusCode());
    }
    await()
        .atMost(PROJECTED)
        .until(
            () ->
                get(api("/conversations?tag=" + tag + "&limit=200"), "sup").path("items").size()
                    == 7);

    List<String> seen = new ArrayList<>();
    JsonNode page = get(api("/conversations?tag=" + tag + "&limit=3"), "sup");
    page.path("items").forEach(i -> seen.add(i.path("id").asText()));
    // while the client pages: every conversation gets a new message, two new ones are tagged
    for (String p : phones) {
      say(p, "P", "again", now());
    }
    for (int i = 0; i < 2; i++) {
      String c = say(phone(), "N" + i, "new", now());
      call(
          "POST",
          api("/conversations/" + c + "/tags"),
          token("sup"),
          "{\"add\":[\"" + tag + "\"]}");
    }
    // the projection has seen all of that (the two new ones are listed) before the client pages on
    await()
        .atMost(PROJECTED)
        .until(
            () ->
                get(api("/conversations?tag=" + tag + "&limit=200"), "sup").path("items").size()
                    == 9);
    while (!page.path("nextCursor").isNull()) {
      page =
          get(
              api(
                  "/conversations?tag="
                      + tag
                      + "&limit=3&cursor="
                      + page.path("nextCursor").asText()),
              "sup");
      page.path("items").forEach(i -> seen.add(i.path("id").asText()));
    }
    assertEquals(7, seen.size(), "no conversation twice, none skipped: " + seen);
    assertEquals(tagged, new HashSet<>(seen));
  }

  @Test
  void listsFilterAndRejectBadParameters() throws Exception {
    String c = say(phone(), "Fi", "filter me", now());
    await()
        .atMost(PROJECTED)
        .until(() -> ids(get(api("/conversations?assignee=a1&limit=200"), "sup")).contains(c));
    assertTrue(ids(get(api("/conversations?status=assigned&limit=200"), "sup")).contains(c));
    assertTrue(ids(get(api("/conversations?channel=whatsapp&limit=200"), "sup")).contains(c));
    assertFalse(ids(get(api("/conversations?channel=email&limit=200"), "sup")).contains(c));
    assertFalse(ids(get(api("/conversations?unassigned=true&limit=200"), "sup")).contains(c));
    assertFalse(ids(get(api("/conversations?status=resolved&limit=200"), "sup")).contains(c));
    assertTrue(
        ids(get(api("/conversations?updatedSince=2020-01-01T00:00:00Z&limit=200"), "sup"))
            .contains(c));
    for (String bad :
        List.of(
            "channel=pigeon",
            "limit=0",
            "limit=1000",
            "cursor=bm9wZQ",
            "updatedSince=yesterday",
            "unassigned=maybe")) {
      var r = call("GET", api("/conversations?" + bad), token("sup"), null);
      assertEquals(400, r.statusCode(), bad);
      assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
    }
    // another workspace: its own list does not have it, this workspace's list is not there for it
    var others =
        call(
            "GET",
            "/api/v1/workspaces/" + other + "/conversations",
            "other-" + ws.substring(3),
            null);
    assertEquals(200, others.statusCode());
    assertFalse(ids(json(others)).contains(c));
    assertEquals(
        404, call("GET", api("/conversations"), "other-" + ws.substring(3), null).statusCode());
  }

  @Test
  void messagesArePagedInOrderAndTheAuthorSeesItsReplyAtOnce() throws Exception {
    String p = phone();
    String c = null;
    for (int i = 1; i <= 5; i++) {
      c = say(p, "Mo", "m" + i, now());
    }
    String conversation = c;
    String messages = api("/conversations/" + c + "/messages");
    await()
        .atMost(PROJECTED)
        .until(() -> get(messages + "?limit=50", "a1").path("items").size() == 5);
    assertEquals(List.of(4L, 5L), sequences(get(messages + "?limit=2", "a1")));
    assertEquals(List.of(2L, 3L), sequences(get(messages + "?limit=2&before=4", "a1")));
    assertEquals(List.of(4L, 5L), sequences(get(messages + "?after=3", "a1")));
    assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), texts(get(messages + "?limit=50", "a1")));
    assertEquals(400, call("GET", messages + "?after=x", token("a1"), null).statusCode());

    await()
        .atMost(PUSHED)
        .until(
            () ->
                "a1"
                    .equals(
                        json(call("GET", api("/conversations/" + conversation), token("sup"), null))
                            .path("assignee")
                            .asText()));
    var sent = call("POST", messages, token("a1"), "{\"type\":\"text\",\"text\":\"on its way\"}");
    assertEquals(202, sent.statusCode(), sent.body());
    // no waiting: the reply is in the thread when the 202 arrives
    JsonNode latest = get(messages + "?limit=1", "a1").path("items").get(0);
    assertEquals(6, latest.path("sequence").asLong());
    assertEquals("out", latest.path("direction").asText());
    assertEquals("on its way", latest.path("text").asText());
    assertEquals("a1", latest.path("author").asText());
    assertFalse(latest.path("state").asText().isEmpty());

    var note = call("POST", messages, token("a1"), "{\"type\":\"note\",\"text\":\"vip\"}");
    assertEquals(201, note.statusCode());
    JsonNode n = get(messages + "?limit=1", "a1").path("items").get(0);
    assertEquals("note", n.path("direction").asText());
    assertEquals(
        404,
        call(
                "GET",
                "/api/v1/workspaces/" + other + "/conversations/" + c + "/messages",
                "other-" + ws.substring(3),
                null)
            .statusCode(),
        "another workspace has no such conversation");
  }

  @Test
  void contactsAreFoundByPhoneInAnyFormatOrByNameAndOnlyInTheirWorkspace() throws Exception {
    String p = phone();
    String c = say(p, "Zoë Müller", "hi", now());
    String spaced = "+" + p.substring(0, 2) + " " + p.substring(2, 5) + " " + p.substring(5);
    await()
        .atMost(PROJECTED)
        .until(
            () ->
                ids(get(api("/contacts?q=" + java.net.URLEncoder.encode(spaced, "UTF-8")), "sup"))
                    .contains(c));
    assertTrue(ids(get(api("/contacts?q=zo"), "sup")).contains(c));
    assertTrue(ids(get(api("/contacts?q=M%C3%BCll"), "sup")).contains(c));
    assertFalse(ids(get(api("/contacts?q=xy"), "sup")).contains(c));
    assertEquals(400, call("GET", api("/contacts?q="), token("sup"), null).statusCode());
    var others =
        call(
            "GET",
            "/api/v1/workspaces/" + other + "/contacts?q=" + p,
            "other-" + ws.substring(3),
            null);
    assertEquals(200, others.statusCode());
    assertEquals(0, json(others).path("items").size());
  }

  static Set<String> ids(JsonNode page) {
    Set<String> ids = new HashSet<>();
    page.path("items").forEach(i -> ids.add(i.path("id").asText()));
    return ids;
  }

  static List<Long> sequences(JsonNode page) {
    List<Long> out = new ArrayList<>();
    page.path("items").forEach(i -> out.add(i.path("sequence").asLong()));
    return out;
  }

  static List<String> texts(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.path("items").forEach(i -> out.add(i.path("text").asText()));
    return out;
  }

  static JsonNode json(String s) throws Exception {
    return io.omnirouter.connectors.support.Json.MAPPER.readTree(s);
  }
}

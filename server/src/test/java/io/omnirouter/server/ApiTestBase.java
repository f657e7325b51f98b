package io.omnirouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A router in the test JVM on the real Cassandra with two workspaces (one with agents a1, a2 and
 * tokens admin, sup, a1, a2; another with only an admin), and HTTP helpers for API tests.
 */
abstract class ApiTestBase {
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
    router =
        new InProcessRouter(
            "api",
            TestCassandra.config(conf + "omnirouter.read-side.window-watch-interval = 1s\n"));
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

  /** Status and headers only (the body is not read: the stream never ends). */
  static HttpResponse<java.io.InputStream> head(
      String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    var r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    r.body().close();
    return r;
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  static String customer(long timestamp) throws Exception {
    String phone = "49157" + (10000000 + new java.util.Random().nextInt(89999999));
    return say(phone, "Kim", "Hello?", timestamp);
  }

  /** A signed WhatsApp message from {@code phone}; answers the contact it was stored under. */
  static String say(String phone, String name, String text, long timestamp) throws Exception {
    String body =
        WhatsAppWebhooks.message("1", phone, name, "wamid." + UUID.randomUUID(), timestamp, text);
    var r =
        router.post(
            "/webhooks/whatsapp/wa-" + ws,
            "application/json",
            body.getBytes(StandardCharsets.UTF_8),
            WebhookIngestTest.sig(body));
    assertEquals(200, r.statusCode());
    return router.contactOf(ws, IdentityKey.phone(phone));
  }

  static String api(String rest) {
    return "/api/v1/workspaces/" + ws + rest;
  }
}

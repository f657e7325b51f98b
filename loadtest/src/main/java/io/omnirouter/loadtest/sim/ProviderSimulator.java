package io.omnirouter.loadtest.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.connectors.support.Signatures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Fake provider APIs on 127.0.0.1 for tests and load tests — WhatsApp Cloud API,
 * Messenger/Instagram Send API, WeChat customer-service API, Telegram Bot API, LINE push, Viber,
 * Twilio. It checks auth and request shape like the real ones, can be told to fail the next sends
 * (429, 5xx, the 131047 window error), answers a resend of the same {@code
 * biz_opaque_callback_data} with the same id, and — like WhatsApp — posts signed "sent" and
 * "delivered" status webhooks back.
 */
public final class ProviderSimulator extends AllDirectives implements AutoCloseable {

  /** What the next sends should answer. */
  public enum Failure {
    RATE_LIMIT,
    SERVER_ERROR,
    WINDOW_CLOSED,
    BAD_TOKEN
  }

  public record Sent(
      String provider,
      String to,
      String text,
      String idempotencyKey,
      String providerMessageId,
      JsonNode body) {}

  private final ActorSystem<?> system;
  private final String accessToken;
  private final String telegramToken;
  private final ServerBinding binding;
  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final Map<String, String> idsByKey = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final HttpClient http = HttpClient.newHttpClient();
  private volatile StatusTarget statusTarget;

  /** Where to post WhatsApp status webhooks, signed with the app secret. */
  public record StatusTarget(String url, String appSecret) {}

  public ProviderSimulator(ActorSystem<?> system, String accessToken, String telegramToken)
      throws Exception {
    this(system, accessToken, telegramToken, 0);
  }

  /** On a given port of 127.0.0.1 (0: any free one). */
  public ProviderSimulator(
      ActorSystem<?> system, String accessToken, String telegramToken, int port) throws Exception {
    this.system = system;
    this.accessToken = accessToken;
    this.telegramToken = telegramToken;
    this.binding =
        Http.get(system)
            .newServerAt("127.0.0.1", port)
            .bind(routes())
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  public void sendStatusesTo(StatusTarget target) {
    this.statusTarget = target;
  }

  public void failNext(Failure failure, int times) {
    for (int i = 0; i < times; i++) {
      failures.add(failure);
    }
  }

  public List<Sent> sent() {
    return List.copyOf(sent);
  }

  public int requests() {
    return requests.get();
  }

  private Route routes() {
    return concat(
        // Messenger / Instagram Send API: POST /{version}/me/messages (before WhatsApp's, which
        // matches it too)
        path(
            PathMatchers.segment().slash("me").slash("messages"),
            version -> postWith("Authorization", this::messenger)),
        // WhatsApp Cloud API: POST /{version}/{phone-number-id}/messages
        path(
            PathMatchers.segment().slash(PathMatchers.segment()).slash("messages"),
            (version, phoneId) ->
                postWith("Authorization", (auth, body) -> whatsapp(auth, phoneId, body))),
        // WeChat access token: GET /cgi-bin/token?grant_type=client_credential&appid=&secret=
        path(
            PathMatchers.segment("cgi-bin").slash("token"),
            () ->
                get(
                    () ->
                        parameterOptional(
                            "secret",
                            secret ->
                                json(
                                    StatusCodes.OK,
                                    "wx-secret".equals(secret.orElse(""))
                                        ? "{\"access_token\":\""
                                            + accessToken
                                            + "\",\"expires_in\":7200}"
                                        : "{\"errcode\":40125,\"errmsg\":\"invalid appsecret\"}")))),
        // WeChat customer-service API: POST /cgi-bin/message/custom/send?access_token=
        path(
            PathMatchers.segment("cgi-bin").slash("message").slash("custom").slash("send"),
            () ->
                post(
                    () ->
                        parameterOptional(
                            "access_token",
                            token -> withBody(body -> wechat(token.orElse(""), body))))),
        // LINE reply: POST /v2/bot/message/reply (tokens starting with "expired" have expired)
        path(
            PathMatchers.segment("v2").slash("bot").slash("message").slash("reply"),
            () -> postWith("Authorization", this::lineReply)),
        // LINE push: POST /v2/bot/message/push
        path(
            PathMatchers.segment("v2").slash("bot").slash("message").slash("push"),
            () ->
                optionalHeaderValueByName(
                    "X-Line-Retry-Key",
                    retryKey ->
                        postWith(
                            "Authorization",
                            (auth, body) -> line(auth, retryKey.orElse(null), body)))),
        // Viber: POST /pa/send_message
        path(
            PathMatchers.segment("pa").slash("send_message"),
            () -> postWith("X-Viber-Auth-Token", this::viber)),
        // Twilio: POST /2010-04-01/Accounts/{sid}/Messages.json
        path(
            PathMatchers.segment("2010-04-01")
                .slash("Accounts")
                .slash(PathMatchers.segment())
                .slash("Messages.json"),
            sid -> postWith("Authorization", (auth, body) -> twilio(sid, auth, body))),
        // Telegram Bot API: POST /bot{token}/sendMessage
        path(
            PathMatchers.segment().slash("sendMessage"),
            botToken -> post(() -> withBody(body -> telegram(botToken, body)))));
  }

  /** A POST handled with one request header (empty when absent) and the body as text. */
  private Route postWith(
      String header, java.util.function.BiFunction<String, String, Route> handler) {
    return post(
        () ->
            optionalHeaderValueByName(
                header, value -> withBody(body -> handler.apply(value.orElse(""), body))));
  }

  private Route withBody(java.util.function.Function<String, Route> handler) {
    return entity(
        org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(), handler);
  }

  private Route whatsapp(String auth, String phoneId, String body) {
    requests.incrementAndGet();
    Failure f = failures.poll();
    if (f == Failure.BAD_TOKEN || !("Bearer " + accessToken).equals(auth)) {
      return graphError(401, 190, "Invalid OAuth access token.");
    }
    if (f == Failure.RATE_LIMIT) {
      return graphError(429, 130429, "Rate limit hit");
    }
    if (f == Failure.SERVER_ERROR) {
      return graphError(500, 131000, "Something went wrong");
    }
    JsonNode req;
    try {
      req = Json.MAPPER.readTree(body);
    } catch (Exception e) {
      return graphError(400, 100, "Invalid parameter");
    }
    if (!"whatsapp".equals(req.path("messaging_product").asText())
        || req.path("to").asText("").isEmpty()
        || req.path("type").asText("").isEmpty()) {
      return graphError(400, 100, "Invalid parameter");
    }
    if (f == Failure.WINDOW_CLOSED && !"template".equals(req.path("type").asText())) {
      return graphError(400, 131047, "Re-engagement message");
    }
    String key = req.path("biz_opaque_callback_data").asText(null);
    boolean resend = key != null && idsByKey.containsKey(key);
    String wamid =
        key == null
            ? "wamid." + UUID.randomUUID()
            : idsByKey.computeIfAbsent(key, k -> "wamid." + UUID.randomUUID());
    if (!resend) {
      sent.add(
          new Sent(
              "whatsapp",
              req.path("to").asText(),
              req.path("text").path("body").asText(null),
              key,
              wamid,
              req));
      postStatuses(phoneId, req.path("to").asText(), wamid, key);
    }
    String answer =
        "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\""
            + req.path("to").asText()
            + "\",\"wa_id\":\""
            + req.path("to").asText()
            + "\"}],\"messages\":[{\"id\":\""
            + wamid
            + "\"}]}";
    return json(StatusCodes.OK, answer);
  }

  private Route json(org.apache.pekko.http.javadsl.model.StatusCode status, String body) {
    return complete(status, HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private Route graphError(int status, int code, String message) {
    String json =
        "{\"error\":{\"message\":\""
            + message
            + "\",\"type\":\"OAuthException\",\"code\":"
            + code
            + ",\"fbtrace_id\":\"Az8or2yhqkZfEZ-_4Qn_Bam\"}}";
    return json(StatusCodes.get(status), json);
  }

  private Route wechat(String token, String body) {
    requests.incrementAndGet();
    if (!accessToken.equals(token)) {
      return json(
          StatusCodes.OK,
          "{\"errcode\":40001,\"errmsg\":\"invalid credential, access_token is invalid or not latest\"}");
    }
    Failure f = failures.poll();
    if (f == Failure.WINDOW_CLOSED) {
      return json(
          StatusCodes.OK,
          "{\"errcode\":45015,\"errmsg\":\"response out of time limit or subscription is canceled\"}");
    }
    try {
      JsonNode req = Json.MAPPER.readTree(body);
      if (req.path("touser").asText("").isEmpty() || !"text".equals(req.path("msgtype").asText())) {
        return json(StatusCodes.OK, "{\"errcode\":44002,\"errmsg\":\"empty post data\"}");
      }
      sent.add(
          new Sent(
              "wechat",
              req.path("touser").asText(),
              req.path("text").path("content").asText(null),
              null,
              null,
              req));
      return json(StatusCodes.OK, "{\"errcode\":0,\"errmsg\":\"ok\"}");
    } catch (Exception e) {
      return json(StatusCodes.OK, "{\"errcode\":47001,\"errmsg\":\"data format error\"}");
    }
  }

  private Route messenger(String auth, String body) {
    requests.incrementAndGet();
    if (!("Bearer " + accessToken).equals(auth)) {
      return graphError(401, 190, "Invalid OAuth access token.");
    }
    Failure f = failures.poll();
    if (f == Failure.WINDOW_CLOSED) {
      String json =
          "{\"error\":{\"message\":\"(#10) This message is sent outside of allowed window.\",\"type\":\"OAuthException\",\"code\":10,\"error_subcode\":2018278}}";
      return json(StatusCodes.BAD_REQUEST, json);
    }
    if (f == Failure.RATE_LIMIT) {
      return graphError(429, 613, "Calls to this api have exceeded the rate limit.");
    }
    JsonNode req = parse(body);
    if (req == null
        || req.path("recipient").path("id").asText("").isEmpty()
        || !req.has("message")
        || !req.has("messaging_type")) {
      return graphError(400, 100, "Invalid parameter");
    }
    String mid = "m_" + UUID.randomUUID();
    sent.add(
        new Sent(
            "messenger",
            req.path("recipient").path("id").asText(),
            req.path("message").path("text").asText(null),
            null,
            mid,
            req));
    return json(
        StatusCodes.OK,
        "{\"recipient_id\":\""
            + req.path("recipient").path("id").asText()
            + "\",\"message_id\":\""
            + mid
            + "\"}");
  }

  private Route lineReply(String auth, String body) {
    requests.incrementAndGet();
    if (!("Bearer " + accessToken).equals(auth)) {
      return json(StatusCodes.UNAUTHORIZED, "{\"message\":\"Authentication failed\"}");
    }
    JsonNode req = parse(body);
    String token = req == null ? "" : req.path("replyToken").asText("");
    if (token.isEmpty()
        || token.startsWith("expired")
        || idsByKey.putIfAbsent("reply:" + token, token) != null) {
      return json(StatusCodes.BAD_REQUEST, "{\"message\":\"Invalid reply token\"}");
    }
    sent.add(
        new Sent(
            "line-reply",
            token,
            req.path("messages").path(0).path("text").asText(null),
            null,
            token,
            req));
    return json(StatusCodes.OK, "{\"sentMessages\":[{\"id\":\"461230966842064898\"}]}");
  }

  private Route line(String auth, String retryKey, String body) {
    requests.incrementAndGet();
    if (!("Bearer " + accessToken).equals(auth)) {
      return json(StatusCodes.UNAUTHORIZED, "{\"message\":\"Authentication failed\"}");
    }
    if (failures.poll() == Failure.RATE_LIMIT) {
      return json(
          StatusCodes.TOO_MANY_REQUESTS, "{\"message\":\"The API rate limit has been exceeded.\"}");
    }
    JsonNode req = parse(body);
    if (req == null || req.path("to").asText("").isEmpty() || !req.path("messages").isArray()) {
      return json(StatusCodes.BAD_REQUEST, "{\"message\":\"The request body has 1 error(s)\"}");
    }
    if (retryKey != null && idsByKey.containsKey("line:" + retryKey)) {
      // LINE answers a repeated X-Line-Retry-Key with 409 and does not send again
      return json(StatusCodes.CONFLICT, "{\"message\":\"The retry key is already accepted\"}");
    }
    String requestId = UUID.randomUUID().toString();
    if (retryKey != null) {
      idsByKey.put("line:" + retryKey, requestId);
    }
    sent.add(
        new Sent(
            "line",
            req.path("to").asText(),
            req.path("messages").path(0).path("text").asText(null),
            retryKey,
            requestId,
            req));
    return respondWithHeader(
        org.apache.pekko.http.javadsl.model.headers.RawHeader.create(
            "X-Line-Request-Id", requestId),
        () -> json(StatusCodes.OK, "{\"sentMessages\":[{\"id\":\"461230966842064897\"}]}"));
  }

  private Route viber(String auth, String body) {
    requests.incrementAndGet();
    if (!accessToken.equals(auth)) {
      return json(StatusCodes.OK, "{\"status\":2,\"status_message\":\"invalidAuthToken\"}");
    }
    JsonNode req = parse(body);
    if (req == null
        || req.path("receiver").asText("").isEmpty()
        || req.path("type").asText("").isEmpty()) {
      return json(StatusCodes.OK, "{\"status\":3,\"status_message\":\"badData\"}");
    }
    if (failures.poll() == Failure.WINDOW_CLOSED) {
      return json(StatusCodes.OK, "{\"status\":6,\"status_message\":\"notSubscribed\"}");
    }
    String token = Long.toString(5000000000000000000L + requests.get());
    sent.add(
        new Sent(
            "viber",
            req.path("receiver").asText(),
            req.path("text").asText(null),
            null,
            token,
            req));
    return json(
        StatusCodes.OK,
        "{\"status\":0,\"status_message\":\"ok\",\"message_token\":"
            + token
            + ",\"chat_hostname\":\"SN-CHAT-05_\"}");
  }

  private Route twilio(String sid, String auth, String body) {
    requests.incrementAndGet();
    String expected =
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString((sid + ":" + accessToken).getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(auth)) {
      return json(
          StatusCodes.UNAUTHORIZED, "{\"code\":20003,\"message\":\"Authenticate\",\"status\":401}");
    }
    if (failures.poll() == Failure.SERVER_ERROR) {
      return json(
          StatusCodes.SERVICE_UNAVAILABLE,
          "{\"code\":20503,\"message\":\"Service unavailable\",\"status\":503}");
    }
    Map<String, String> form = new java.util.HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(
            java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    if (form.getOrDefault("To", "").isEmpty()
        || form.getOrDefault("From", "").isEmpty()
        || !form.containsKey("Body")) {
      return json(
          StatusCodes.BAD_REQUEST,
          "{\"code\":21604,\"message\":\"A 'To' phone number is required.\",\"status\":400}");
    }
    String msgSid = "SM" + UUID.randomUUID().toString().replace("-", "");
    sent.add(new Sent("twilio", form.get("To"), form.get("Body"), null, msgSid, null));
    return json(
        StatusCodes.CREATED,
        "{\"sid\":\"" + msgSid + "\",\"status\":\"queued\",\"to\":\"" + form.get("To") + "\"}");
  }

  private static JsonNode parse(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Posts a signed customer message webhook like WhatsApp does, {@code copies} times (providers
   * redeliver); answers the status code of each post.
   */
  public List<Integer> postCustomerMessage(
      StatusTarget target, String phoneNumberId, String from, String text, int copies)
      throws Exception {
    String body =
        WhatsAppWebhooks.message(
            phoneNumberId,
            from,
            "Customer",
            "wamid." + UUID.randomUUID(),
            System.currentTimeMillis() / 1000,
            text);
    List<Integer> codes = new java.util.ArrayList<>();
    for (int i = 0; i < copies; i++) {
      codes.add(
          http.send(
                  HttpRequest.newBuilder(URI.create(target.url()))
                      .timeout(Duration.ofSeconds(10))
                      .header("Content-Type", "application/json")
                      .header(
                          "X-Hub-Signature-256",
                          "sha256="
                              + Signatures.hmacSha256Hex(
                                  target.appSecret(), body.getBytes(StandardCharsets.UTF_8)))
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode());
    }
    return codes;
  }

  private Route telegram(String botSegment, String body) {
    requests.incrementAndGet();
    if (!("bot" + telegramToken).equals(botSegment)) {
      return json(
          StatusCodes.UNAUTHORIZED,
          "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
    }
    Failure f = failures.poll();
    if (f == Failure.RATE_LIMIT) {
      return json(
          StatusCodes.TOO_MANY_REQUESTS,
          "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 1\",\"parameters\":{\"retry_after\":1}}");
    }
    try {
      JsonNode req = Json.MAPPER.readTree(body);
      String chat = req.path("chat_id").asText();
      int id = 1000 + sent.size();
      sent.add(
          new Sent("telegram", chat, req.path("text").asText(null), null, chat + ":" + id, req));
      return json(
          StatusCodes.OK,
          "{\"ok\":true,\"result\":{\"message_id\":"
              + id
              + ",\"chat\":{\"id\":"
              + chat
              + ",\"type\":\"private\"},\"date\":1763800000,\"text\":\"x\"}}");
    } catch (Exception e) {
      return complete(
          StatusCodes.BAD_REQUEST,
          "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request\"}");
    }
  }

  /** Posts "sent" then "delivered" for a message, signed like Meta signs webhooks. */
  private void postStatuses(String phoneId, String to, String wamid, String callbackData) {
    StatusTarget target = statusTarget;
    if (target == null) {
      return;
    }
    CompletableFuture.runAsync(
        () -> {
          for (String status : List.of("sent", "delivered")) {
            String body = WhatsAppWebhooks.status(phoneId, to, wamid, status, callbackData);
            try {
              http.send(
                  HttpRequest.newBuilder(URI.create(target.url()))
                      .timeout(Duration.ofSeconds(10))
                      .header("Content-Type", "application/json")
                      .header(
                          "X-Hub-Signature-256",
                          "sha256="
                              + Signatures.hmacSha256Hex(
                                  target.appSecret(), body.getBytes(StandardCharsets.UTF_8)))
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
            } catch (Exception e) {
              return; // the router is gone; statuses are best effort, as WhatsApp's retries would
              // be
            }
          }
        });
  }

  @Override
  public void close() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

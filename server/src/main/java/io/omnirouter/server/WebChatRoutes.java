package io.omnirouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.Connectors;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.connectors.webchat.WebChatSessions;
import io.omnirouter.core.RouterCore;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * Our web-chat channel. {@code POST /webchat/{account}/sessions} gives a visitor an id and token;
 * {@code GET /webchat/{account}/ws?visitor=&token=} is the visitor's WebSocket: a message frame is
 * acknowledged only once it is stored (as a webhook's 200 is), agents' replies are pushed back.
 * {@code GET /webchat/widget.js} is the embeddable widget.
 */
public final class WebChatRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final RouterCore core;
  private final Connectors connectors;
  private final WebChatSessions sessions;
  private final Duration storeTimeout;
  private final byte[] widget;

  public WebChatRoutes(
      ActorSystem<?> system,
      RouterCore core,
      Connectors connectors,
      WebChatSessions sessions,
      Duration storeTimeout) {
    this.system = system;
    this.core = core;
    this.connectors = connectors;
    this.sessions = sessions;
    this.storeTimeout = storeTimeout;
    try (InputStream in = WebChatRoutes.class.getResourceAsStream("/webchat/widget.js")) {
      this.widget = in.readAllBytes();
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("webchat/widget.js missing from the classpath", e);
    }
  }

  public Route routes() {
    return pathPrefix(
        "webchat",
        () ->
            concat(
                path(
                    "widget.js",
                    () ->
                        get(
                            () ->
                                complete(
                                    HttpEntities.create(
                                        ContentTypes.parse("application/javascript; charset=UTF-8"),
                                        widget)))),
                pathPrefix(
                    account ->
                        concat(
                            path(
                                "sessions",
                                () -> post(() -> withAccount(account, this::newSession))),
                            path(
                                "ws",
                                () ->
                                    get(
                                        () ->
                                            withAccount(
                                                account,
                                                a ->
                                                    parameter(
                                                        "visitor",
                                                        visitor ->
                                                            parameter(
                                                                "token",
                                                                token ->
                                                                    WebChatSessions.valid(
                                                                            a, visitor, token)
                                                                        ? handleWebSocketMessages(
                                                                            socket(a, visitor))
                                                                        : complete(
                                                                            Problems.response(
                                                                                StatusCodes
                                                                                    .UNAUTHORIZED,
                                                                                "bad visitor token")))))))))));
  }

  private Route withAccount(
      String account, java.util.function.Function<AccountSettings, Route> inner) {
    return connectors
        .account(Channel.WEBCHAT, account)
        .map(inner)
        .orElseGet(
            () ->
                complete(
                    Problems.response(StatusCodes.NOT_FOUND, "no web-chat account " + account)));
  }

  private Route newSession(AccountSettings account) {
    String visitor = "v" + UUID.randomUUID().toString().replace("-", "");
    String body =
        "{\"visitorId\":\""
            + visitor
            + "\",\"token\":\""
            + WebChatSessions.token(account, visitor)
            + "\"}";
    return complete(StatusCodes.CREATED, HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private Flow<Message, Message, NotUsed> socket(AccountSettings account, String visitor) {
    Pair<SourceQueueWithComplete<String>, Source<String, NotUsed>> out =
        Source.<String>queue(256, OverflowStrategy.dropHead())
            .preMaterialize(org.apache.pekko.stream.Materializer.matFromSystem(system));
    SourceQueueWithComplete<String> queue = out.first();
    WebChatSessions.Socket push =
        json -> {
          queue.offer(json);
          return true;
        };
    sessions.connected(account.account(), visitor, push);
    Sink<Message, CompletionStage<org.apache.pekko.Done>> in =
        Flow.<Message>create()
            .filter(Message::isText)
            .mapAsync(
                1,
                m ->
                    m.asTextMessage()
                        .toStrict(
                            5_000, org.apache.pekko.stream.Materializer.matFromSystem(system)))
            .mapAsync(1, m -> handle(account, visitor, m.getStrictText()))
            .mapAsync(
                1, reply -> queue.offer(reply).thenApply(r -> r == QueueOfferResult.enqueued()))
            .toMat(Sink.ignore(), org.apache.pekko.stream.javadsl.Keep.right());
    return Flow.fromSinkAndSourceCoupledMat(
        in,
        out.second().map(s -> (Message) TextMessage.create(s)),
        (done, notUsed) -> {
          done.whenComplete(
              (d, e) -> {
                sessions.disconnected(account.account(), visitor, push);
                queue.complete();
              });
          return NotUsed.getInstance();
        });
  }

  /**
   * One visitor frame: a message is stored and acknowledged, anything else answered with an error.
   */
  private CompletionStage<String> handle(AccountSettings account, String visitor, String text) {
    JsonNode frame;
    try {
      frame = Json.read(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (Exception e) {
      return CompletableFuture.completedFuture(error(null, 400, "not a JSON object"));
    }
    String id = Json.text(frame, "id");
    String body = Json.text(frame, "text");
    if (!"message".equals(Json.text(frame, "type"))
        || id == null
        || id.length() > 100
        || body == null
        || body.isBlank()
        || body.length() > 10_000) {
      return CompletableFuture.completedFuture(
          error(id, 400, "expected {type: message, id, text} (text up to 10,000 characters)"));
    }
    List<String> hints = List.of();
    String email = Json.text(frame, "email");
    if (email != null && email.contains("@")) {
      hints = List.of(io.omnirouter.core.contact.IdentityKey.email(email));
    }
    var msg =
        new InboundMessage(
            Channel.WEBCHAT, account.account(), visitor + ":" + id, visitor, body, Instant.now());
    return core.receive(account.workspace(), msg, hints, Json.text(frame, "name"), storeTimeout)
        .handle(
            (ack, err) ->
                err != null
                    ? error(id, 503, "not stored, send again")
                    : "{\"type\":\"ack\",\"id\":"
                        + quote(id)
                        + (ack instanceof Conversation.Duplicate ? ",\"duplicate\":true" : "")
                        + "}");
  }

  private static String error(String id, int status, String detail) {
    return "{\"type\":\"error\",\"id\":"
        + (id == null ? "null" : quote(id))
        + ",\"status\":"
        + status
        + ",\"detail\":"
        + quote(detail)
        + "}";
  }

  private static String quote(String s) {
    try {
      return Json.MAPPER.writeValueAsString(s);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}

package io.omnirouter.server;

import io.omnirouter.connectors.Connectors;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelConnector;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.core.RouterCore;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import kamon.Kamon;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /webhooks/{channel}/{account}}: the hot path. The body is capped while it streams (413),
 * the signature is checked over the raw bytes (401), the payload parsed (400) — nothing is stored
 * before all three pass — then every message is persisted in its thread and only then is the
 * request answered 200. A timeout or journal failure answers 503, which providers retry; dedup by
 * provider message id makes the retry safe.
 */
public final class WebhookRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(WebhookRoutes.class);

  private final ActorSystem<?> system;
  private final RouterCore core;
  private final Connectors connectors;
  private final WebhookSettings settings;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final StorageGate storage;

  /**
   * @param journalOk asks the journal for a write and read round trip (the storage gate's check)
   */
  public WebhookRoutes(
      ActorSystem<?> system,
      RouterCore core,
      Connectors connectors,
      WebhookSettings settings,
      Supplier<CompletionStage<Boolean>> journalOk) {
    this.system = system;
    this.core = core;
    this.connectors = connectors;
    this.settings = settings;
    this.storage =
        new StorageGate(system, journalOk, settings.storageFailures(), settings.storageRetry());
  }

  public Route routes() {
    return pathPrefix(
        "webhooks",
        () ->
            path(
                PathMatchers.segment().slash(PathMatchers.segment()),
                (channelKey, account) ->
                    extractRequest(
                        request -> {
                          Optional<Channel> channel = channel(channelKey);
                          Optional<ChannelConnector> connector =
                              channel.flatMap(connectors::connector);
                          Optional<AccountSettings> settingsFor =
                              channel.flatMap(c -> connectors.account(c, account));
                          if (connector.isEmpty() || settingsFor.isEmpty()) {
                            return complete(
                                Problems.response(
                                    StatusCodes.NOT_FOUND,
                                    "no channel account " + channelKey + "/" + account));
                          }
                          return concat(
                              get(
                                  () ->
                                      complete(
                                          handshake(request, connector.get(), settingsFor.get()))),
                              post(
                                  () ->
                                      onSuccess(
                                          receive(request, connector.get(), settingsFor.get()),
                                          this::complete)));
                        })));
  }

  private HttpResponse handshake(
      HttpRequest request, ChannelConnector connector, AccountSettings account) {
    try {
      return connector
          .handshake(webhookRequest(request, new byte[0]), account)
          .map(body -> HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, body))
          .orElseGet(
              () ->
                  Problems.response(
                      StatusCodes.METHOD_NOT_ALLOWED, "this channel has no GET handshake"));
    } catch (WebhookException e) {
      return Problems.response(StatusCodes.get(e.status()), e.getMessage());
    }
  }

  /** Admission first: beyond {@code max-in-flight} a webhook is shed before its body is read. */
  private CompletionStage<HttpResponse> receive(
      HttpRequest request, ChannelConnector connector, AccountSettings account) {
    if (storage.down()) {
      request.discardEntityBytes(system);
      return done(connector, "unavailable", unavailable("storage unavailable, retry later"));
    }
    if (inFlight.incrementAndGet() > settings.maxInFlight()) {
      inFlight.decrementAndGet();
      request.discardEntityBytes(system);
      return done(
          connector,
          "shed",
          unavailable(
              "overloaded: " + settings.maxInFlight() + " webhooks are being stored; retry later"));
    }
    long start = System.nanoTime();
    return admitted(request, connector, account)
        .whenComplete(
            (response, error) -> {
              inFlight.decrementAndGet();
              handlingTime.record(System.nanoTime() - start);
            });
  }

  private CompletionStage<HttpResponse> admitted(
      HttpRequest request, ChannelConnector connector, AccountSettings account) {
    long cap = settings.maxBodySize(connector.channel());
    HttpEntity entity = request.entity();
    if (entity.getContentLengthOption().isPresent()
        && entity.getContentLengthOption().getAsLong() > cap) {
      return done(
          connector,
          "too-large",
          Problems.response(StatusCodes.PAYLOAD_TOO_LARGE, "body exceeds " + cap + " bytes"));
    }
    return entity
        .withSizeLimit(cap)
        .toStrict(settings.readTimeout().toMillis(), system)
        .thenCompose(
            strict ->
                handle(webhookRequest(request, strict.getData().toArray()), connector, account)
                    .whenComplete(
                        (response, error) -> {
                          if (error == null) {
                            storage.stored();
                          } else if (!busy(error)) {
                            // a busy conversation or partition is load, not a storage failure
                            storage.failed();
                          }
                        }))
        .exceptionally(
            error -> {
              Throwable cause =
                  error instanceof java.util.concurrent.CompletionException
                          && error.getCause() != null
                      ? error.getCause()
                      : error;
              if (cause instanceof EntityStreamSizeException) {
                return count(
                    connector,
                    "too-large",
                    Problems.response(
                        StatusCodes.PAYLOAD_TOO_LARGE, "body exceeds " + cap + " bytes"));
              }
              if (busy(cause)) {
                return count(
                    connector, "busy", unavailable("this conversation is busy, retry later"));
              }
              log.warn(
                  "Webhook {}/{} failed: {}",
                  connector.channel().key(),
                  account.account(),
                  cause.toString());
              return count(
                  connector,
                  "unavailable",
                  unavailable("could not store the message, retry later"));
            });
  }

  private static boolean busy(Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    return cause instanceof RouterCore.ConversationBusy || cause instanceof RouterCore.IngestBusy;
  }

  private CompletionStage<HttpResponse> handle(
      WebhookRequest req, ChannelConnector connector, AccountSettings account) {
    List<Inbound> events;
    try {
      connector.verify(req, account);
      events = connector.parse(req, account, Instant.now());
    } catch (WebhookException e) {
      return done(
          connector,
          e.status() == 401 ? "unauthorized" : "rejected",
          Problems.response(StatusCodes.get(e.status()), e.getMessage()));
    } catch (RuntimeException e) {
      // a parser bug must not become a 5xx that the provider retries forever
      log.warn("Unreadable {} webhook: {}", connector.channel().key(), e.toString());
      return done(
          connector, "rejected", Problems.response(StatusCodes.BAD_REQUEST, "unreadable payload"));
    }
    if (core.ingestLog()) {
      return core.ingest(
              account.workspace(),
              connector.channel(),
              account.account(),
              events,
              settings.storeTimeout())
          .thenApply(done -> stored(req, connector, account));
    }
    List<CompletableFuture<Conversation.Ack>> stored = new ArrayList<>();
    for (Inbound in : events) {
      if (in instanceof Inbound.Message m) {
        stored.add(
            core.receive(
                    account.workspace(),
                    m.message(),
                    m.hints(),
                    m.displayName(),
                    settings.storeTimeout())
                .toCompletableFuture());
      } else if (in instanceof Inbound.Status st) {
        stored.add(
            core.recordDelivery(
                    account.workspace(),
                    connector.channel(),
                    account.account(),
                    st,
                    settings.storeTimeout())
                .thenApply(d -> (Conversation.Ack) null)
                .toCompletableFuture());
      } else if (in instanceof Inbound.Event ev) {
        // after the messages of the same request (Twilio sends STOP as a message and an opt-out)
        stored.add(
            CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
                .thenCompose(
                    x ->
                        core.recordChannelEvent(
                            account.workspace(),
                            connector.channel(),
                            account.account(),
                            ev,
                            settings.storeTimeout()))
                .thenApply(d -> (Conversation.Ack) null)
                .toCompletableFuture());
      }
    }
    return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
        .thenApply(all -> stored(req, connector, account));
  }

  private HttpResponse stored(
      WebhookRequest req, ChannelConnector connector, AccountSettings account) {
    connector.acknowledged(req, account);
    return count(
        connector,
        "stored",
        HttpResponse.create()
            .withEntity(ContentTypes.TEXT_PLAIN_UTF8, connector.acknowledgement()));
  }

  private WebhookRequest webhookRequest(HttpRequest request, byte[] body) {
    Map<String, String> headers = new HashMap<>();
    request.getHeaders().forEach(h -> headers.put(h.lowercaseName(), h.value()));
    Map<String, String> query = new HashMap<>(request.getUri().query().toMap());
    String contentType = request.entity().getContentType().toString();
    return new WebhookRequest(request.getUri().toString(), headers, query, contentType, body);
  }

  private static Optional<Channel> channel(String key) {
    try {
      return Optional.of(Channel.fromKey(key));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static CompletionStage<HttpResponse> done(
      ChannelConnector c, String outcome, HttpResponse r) {
    return CompletableFuture.completedFuture(count(c, outcome, r));
  }

  // from admission to the answer: the router's share of a provider's wait (no client queueing)
  private final kamon.metric.Histogram handlingTime =
      Kamon.histogram(
              "omnirouter.webhook.handling", kamon.metric.MeasurementUnit.time().nanoseconds())
          .withoutTags();

  private static HttpResponse count(ChannelConnector c, String outcome, HttpResponse r) {
    Kamon.counter("omnirouter.webhooks")
        .withTag("channel", c.channel().key())
        .withTag("outcome", outcome)
        .increment();
    return r;
  }

  private HttpResponse unavailable(String detail) {
    return Problems.unavailable(detail, settings.retryAfter());
  }

  /** {@code omnirouter.webhooks}. */
  public record WebhookSettings(
      long defaultMaxBody,
      Map<Channel, Long> maxBody,
      Duration readTimeout,
      Duration storeTimeout,
      Duration retryAfter,
      int maxInFlight,
      int storageFailures,
      Duration storageRetry) {
    public static WebhookSettings fromConfig(com.typesafe.config.Config root) {
      var c = root.getConfig("omnirouter.webhooks");
      Map<Channel, Long> per = new HashMap<>();
      for (Channel ch : Channel.values()) {
        String path = "max-body-size-by-channel." + ch.key();
        if (c.hasPath(path)) {
          per.put(ch, c.getBytes(path));
        }
      }
      return new WebhookSettings(
          c.getBytes("max-body-size"),
          per,
          c.getDuration("read-timeout"),
          c.getDuration("store-timeout"),
          c.getDuration("retry-after"),
          c.getInt("max-in-flight"),
          c.getInt("storage-failures"),
          c.getDuration("storage-retry"));
    }

    long maxBodySize(Channel channel) {
      return maxBody.getOrDefault(channel, defaultMaxBody);
    }
  }
}

package io.omnirouter.server;

import io.omnirouter.connectors.Connectors;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.connectors.spi.SendFailure;
import io.omnirouter.core.RouterCore;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.model.ProviderError;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import kamon.Kamon;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends persisted replies: one stream per channel account, throttled to the provider's rate,
 * retried with exponential backoff on 429/5xx (never on other 4xx), the result told back to the
 * conversation. A reply that cannot be queued stays pending in its conversation and is sent again
 * when the conversation recovers (at least once; the message id is the idempotency key).
 */
public final class OutboundDispatcher {
  private static final Logger log = LoggerFactory.getLogger(OutboundDispatcher.class);

  private final ActorSystem<?> system;
  private final RouterCore core;
  private final Connectors connectors;
  private final Map<io.omnirouter.core.model.Channel, ChannelSender> senders;
  private final Settings settings;
  private final Map<String, SourceQueueWithComplete<OutboundRequest>> queues =
      new ConcurrentHashMap<>();

  public record Settings(
      int defaultRatePerSecond,
      int maxAttempts,
      Duration minBackoff,
      Duration maxBackoff,
      int parallelism) {
    public static Settings fromConfig(com.typesafe.config.Config root) {
      var c = root.getConfig("omnirouter.outbound");
      return new Settings(
          c.getInt("rate-per-second"),
          c.getInt("max-attempts"),
          c.getDuration("min-backoff"),
          c.getDuration("max-backoff"),
          c.getInt("parallelism"));
    }
  }

  public OutboundDispatcher(
      ActorSystem<?> system,
      RouterCore core,
      Connectors connectors,
      Map<io.omnirouter.core.model.Channel, ChannelSender> senders,
      Settings settings) {
    this.system = system;
    this.core = core;
    this.connectors = connectors;
    this.senders = senders;
    this.settings = settings;
  }

  public void dispatch(OutboundRequest request) {
    var account = connectors.account(request.channel(), request.channelAccount());
    ChannelSender sender = senders.get(request.channel());
    if (account.isEmpty() || sender == null) {
      record(
          request,
          null,
          new ProviderError(
              "no-sender",
              "no sender for " + request.channel().key() + "/" + request.channelAccount(),
              ProviderError.Outcome.REJECTED));
      return;
    }
    queue(sender, account.get())
        .offer(request)
        .thenAccept(
            result -> {
              if (result != QueueOfferResult.enqueued()) {
                log.warn(
                    "Outbound queue for {}/{} refused {} ({}); it stays pending in its conversation",
                    request.channel().key(),
                    request.channelAccount(),
                    request.messageId(),
                    result);
              }
            });
  }

  private SourceQueueWithComplete<OutboundRequest> queue(
      ChannelSender sender, AccountSettings account) {
    String key = sender.channel().key() + "/" + account.account();
    return queues.computeIfAbsent(
        key,
        k -> {
          int rate =
              Integer.parseInt(
                  account.optional(
                      "rate-per-second", Integer.toString(settings.defaultRatePerSecond())));
          return Source.<OutboundRequest>queue(10_000, OverflowStrategy.dropNew())
              .throttle(rate, Duration.ofSeconds(1))
              .mapAsyncUnordered(settings.parallelism(), r -> attempt(sender, account, r, 1))
              .to(Sink.ignore())
              .run(system);
        });
  }

  private CompletionStage<Void> attempt(
      ChannelSender sender, AccountSettings account, OutboundRequest r, int attempt) {
    CompletionStage<String> sent;
    try {
      sent = sender.send(r, account);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle(
            (providerId, error) -> {
              if (error == null) {
                record(r, providerId, null);
                return CompletableFuture.<Void>completedFuture(null);
              }
              Throwable cause =
                  error instanceof java.util.concurrent.CompletionException
                          && error.getCause() != null
                      ? error.getCause()
                      : error;
              ProviderError pe =
                  cause instanceof SendFailure f
                      ? f.error()
                      : new ProviderError(
                          "io",
                          cause.getMessage() == null ? cause.toString() : cause.getMessage(),
                          cause instanceof IllegalStateException
                              ? ProviderError.Outcome.REJECTED
                              : ProviderError.Outcome.TRANSIENT);
              if (pe.retryable() && attempt < settings.maxAttempts()) {
                Duration backoff = backoff(attempt);
                return Patterns.after(
                        backoff,
                        system.classicSystem().scheduler(),
                        system.executionContext(),
                        () -> attempt(sender, account, r, attempt + 1))
                    .toCompletableFuture();
              }
              record(r, null, pe);
              return CompletableFuture.<Void>completedFuture(null);
            })
        .thenCompose(x -> x);
  }

  private Duration backoff(int attempt) {
    long ms = settings.minBackoff().toMillis() << Math.min(attempt - 1, 16);
    return Duration.ofMillis(Math.min(ms, settings.maxBackoff().toMillis()));
  }

  private void record(OutboundRequest r, String providerId, ProviderError error) {
    Kamon.counter("omnirouter.outbound")
        .withTag("channel", r.channel().key())
        .withTag(
            "outcome",
            error == null ? "sent" : error.outcome().name().toLowerCase(java.util.Locale.ROOT))
        .increment();
    core.conversationById(r.conversationId())
        .tell(new Conversation.RecordSendResult(r.messageId(), providerId, error));
  }
}

package io.omnirouter.core.ingest;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Appends a webhook's entries to their partition, sending the same append again while no answer has
 * come. Sharding delivers at most once: it drops the messages it buffered for a partition being
 * handed off ("Dropping buffered messages to shard during hand off"), so an append sent while its
 * partition moves to another node would otherwise wait out the webhook's whole timeout and be
 * answered 503. The append is sent again once after {@code resendAfter}, and shortly after a
 * partition that is stopping answers {@link IngestPartition.Outcome#MOVING}, until the deadline;
 * the first answer wins. Every send carries one id, so a partition that already has the append only
 * answers (it is written once); a new owner that never saw it writes it.
 */
public final class ResendingAppend {
  /** How soon an append a stopping partition turned away is sent again (its new home is near). */
  static final Duration AFTER_MOVING = Duration.ofMillis(200);

  // an append's id: unique across nodes without a SecureRandom call per webhook (UUID.randomUUID)
  private static final String NODE = UUID.randomUUID().toString();
  private static final AtomicLong APPENDS = new AtomicLong();

  private final RecipientRef<IngestPartition.Command> partition;
  private final List<IngestEntry> entries;
  private final ActorSystem<?> system;
  private final Duration resendAfter;
  private final long deadline;
  private final String id = NODE + ":" + APPENDS.incrementAndGet();
  private final CompletableFuture<IngestPartition.Outcome> result = new CompletableFuture<>();
  private final AtomicInteger sent = new AtomicInteger();

  private ResendingAppend(
      RecipientRef<IngestPartition.Command> partition,
      List<IngestEntry> entries,
      Duration timeout,
      Duration resendAfter,
      ActorSystem<?> system) {
    this.partition = partition;
    this.entries = entries;
    this.system = system;
    this.resendAfter = resendAfter;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  /**
   * The partition's answer ({@code MOVING} only when the deadline came before its new home could be
   * asked), or a failed stage once {@code timeout} passed without one. {@code resendAfter} zero or
   * less: sent once (and again only after MOVING).
   */
  public static CompletionStage<IngestPartition.Outcome> append(
      RecipientRef<IngestPartition.Command> partition,
      List<IngestEntry> entries,
      Duration timeout,
      Duration resendAfter,
      ActorSystem<?> system) {
    var append = new ResendingAppend(partition, entries, timeout, resendAfter, system);
    append.send();
    return append.result;
  }

  private void send() {
    long left = deadline - System.nanoTime();
    if (result.isDone() || left <= 0) {
      return;
    }
    int attempt = sent.incrementAndGet();
    AskPattern.<IngestPartition.Command, IngestPartition.Outcome>ask(
            partition,
            replyTo -> new IngestPartition.Append(id, entries, replyTo),
            Duration.ofNanos(left),
            system.scheduler())
        .whenComplete(
            (outcome, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
              } else if (outcome == IngestPartition.Outcome.MOVING) {
                if (!sendAgain(attempt, AFTER_MOVING)) {
                  result.complete(outcome);
                }
              } else {
                result.complete(outcome);
              }
            });
    // once: a dropped append is sent again, but a slow partition (overload) is not asked again
    // and again — the sends piled onto its mailbox (docs/BENCHMARKS.md, eighth session)
    if (attempt == 1 && !resendAfter.isZero() && !resendAfter.isNegative()) {
      sendAgain(attempt, resendAfter);
    }
  }

  /**
   * Sends again after {@code delay} unless an answer came or another send went out meanwhile; false
   * when the deadline comes first.
   */
  private boolean sendAgain(int attempt, Duration delay) {
    long left = deadline - System.nanoTime();
    if (delay.toNanos() >= left) {
      return false;
    }
    system
        .scheduler()
        .scheduleOnce(
            delay,
            () -> {
              if (sent.get() == attempt) {
                send();
              }
            },
            system.executionContext());
    return true;
  }
}

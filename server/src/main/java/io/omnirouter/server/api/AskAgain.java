package io.omnirouter.server.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * An API ask sent a second time when no answer came after {@code again}: sharding drops the
 * messages it buffered for a shard being handed off (a rolling restart moves every shard of the
 * node leaving), and a dropped ask would wait out the request's whole timeout and end in 503. For
 * requests that may be applied twice — reads, writes that set a value (presence, capacity, a
 * contact's fields), a reply with its message id (the conversation keeps the first) — never for
 * ones that add or move something (a note, a transfer). The first answer wins; it fails when
 * neither send was answered within {@code timeout}.
 */
public final class AskAgain {
  private AskAgain() {}

  public static <M, R> CompletionStage<R> ask(
      RecipientRef<M> to,
      Function<ActorRef<R>, M> message,
      Duration timeout,
      Duration again,
      ActorSystem<?> system) {
    CompletableFuture<R> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean twice = !again.isNegative() && !again.isZero() && again.compareTo(timeout) < 0;
    AtomicInteger open = new AtomicInteger(twice ? 2 : 1);
    Runnable send =
        () -> {
          long left = deadline - System.nanoTime();
          AskPattern.ask(
                  to, message::apply, Duration.ofNanos(Math.max(1, left)), system.scheduler())
              .whenComplete(
                  (answer, error) -> {
                    if (error == null) {
                      result.complete(answer);
                    } else if (open.decrementAndGet() == 0) {
                      result.completeExceptionally(error);
                    }
                  });
        };
    send.run();
    if (twice) {
      system
          .scheduler()
          .scheduleOnce(
              again,
              () -> {
                if (result.isDone()) {
                  open.decrementAndGet();
                } else {
                  send.run();
                }
              },
              system.executionContext());
    }
    return result;
  }
}

package io.omnirouter.server;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Is storage down? After {@code failures} webhooks in a row could not be stored, the gate asks the
 * journal itself (a write and read round trip). Only if that fails does it close: webhooks then get
 * 503 at once instead of each waiting out the store timeout, and the journal is asked again every
 * {@code retry} until it answers. Timeouts of a few conversations (a node that died, a hot thread)
 * never close it while the journal answers.
 */
final class StorageGate {
  private static final Logger log = LoggerFactory.getLogger(StorageGate.class);

  private final ActorSystem<?> system;
  private final Supplier<CompletionStage<Boolean>> journalOk;
  private final int failures;
  private final Duration retry;
  private final AtomicInteger inARow = new AtomicInteger();
  private final AtomicBoolean checking = new AtomicBoolean();
  private volatile boolean down;

  StorageGate(
      ActorSystem<?> system,
      Supplier<CompletionStage<Boolean>> journalOk,
      int failures,
      Duration retry) {
    this.system = system;
    this.journalOk = journalOk;
    this.failures = failures;
    this.retry = retry;
  }

  boolean down() {
    return down;
  }

  void stored() {
    inARow.set(0);
  }

  void failed() {
    if (inARow.incrementAndGet() >= failures && checking.compareAndSet(false, true)) {
      check();
    }
  }

  private void check() {
    journalOk
        .get()
        .whenComplete(
            (ok, error) -> {
              if (Boolean.TRUE.equals(ok)) {
                if (down) {
                  log.info("Journal answers again: accepting webhooks");
                }
                down = false;
                inARow.set(0);
                checking.set(false);
              } else {
                if (!down) {
                  log.warn("Journal does not answer: answering webhooks 503 until it does");
                }
                down = true;
                system.scheduler().scheduleOnce(retry, this::check, system.executionContext());
              }
            });
  }
}

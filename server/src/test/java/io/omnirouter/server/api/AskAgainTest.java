package io.omnirouter.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** An ask that sharding dropped (a shard handed off) is sent again, once. */
class AskAgainTest {
  static final ActorTestKit kit = ActorTestKit.create("ask-again");

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  record Get(ActorRef<String> replyTo) {}

  /** Answers from the {@code answerFrom}-th request on; counts every request. */
  static Behavior<Get> dropping(int answerFrom, AtomicInteger got) {
    return Behaviors.receiveMessage(
        g -> {
          if (got.incrementAndGet() >= answerFrom) {
            g.replyTo().tell("answer " + got.get());
          }
          return Behaviors.same();
        });
  }

  @Test
  void aDroppedAskIsAnsweredBySendingItAgain() throws Exception {
    AtomicInteger got = new AtomicInteger();
    var entity = kit.spawn(dropping(2, got));
    String answer =
        AskAgain.<Get, String>ask(
                entity, Get::new, Duration.ofSeconds(3), Duration.ofMillis(200), kit.system())
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
    assertEquals("answer 2", answer);
  }

  @Test
  void anAnsweredAskIsNotSentAgain() throws Exception {
    AtomicInteger got = new AtomicInteger();
    var entity = kit.spawn(dropping(1, got));
    AskAgain.<Get, String>ask(
            entity, Get::new, Duration.ofSeconds(3), Duration.ofMillis(200), kit.system())
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    // well past the 200 ms after which an unanswered ask would go again
    org.awaitility.Awaitility.await()
        .during(java.time.Duration.ofMillis(500))
        .atMost(java.time.Duration.ofSeconds(2))
        .until(() -> got.get() == 1);
  }

  @Test
  void itIsSentTwiceAtMostAndFailsAtTheTimeout() {
    AtomicInteger got = new AtomicInteger();
    var entity = kit.spawn(dropping(Integer.MAX_VALUE, got));
    var asked =
        AskAgain.<Get, String>ask(
                entity, Get::new, Duration.ofMillis(800), Duration.ofMillis(200), kit.system())
            .toCompletableFuture();
    assertThrows(ExecutionException.class, () -> asked.get(5, TimeUnit.SECONDS));
    assertEquals(2, got.get());
  }
}

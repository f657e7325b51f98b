package io.omnirouter.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** One ingest partition over an in-memory store whose writes can be held or failed. */
class IngestPartitionTest {
  static final ActorTestKit kit = ActorTestKit.create();
  static final IngestPartition.Settings SETTINGS =
      settings(Duration.ofMillis(200), Duration.ofHours(1));

  /** Small batches and backlog, fast backoff, three refusals before a dead letter. */
  static IngestPartition.Settings settings(Duration maxBackoff, Duration giveUpAfter) {
    return new IngestPartition.Settings(
        50, 100, 4, Duration.ofMillis(100), Duration.ofMillis(20), maxBackoff, 3, giveUpAfter);
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** Rows as Cassandra would keep them; a write completes when the test lets it. */
  static final class MemoryStore implements IngestStore {
    final Map<Long, Row> rows = new ConcurrentHashMap<>();
    volatile long watermark;
    final AtomicInteger writes = new AtomicInteger();
    volatile boolean failWrites;
    volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

    /** Writes complete only once the returned future does. */
    CompletableFuture<Void> holdWrites() {
      gate = new CompletableFuture<>();
      return gate;
    }

    @Override
    public CompletionStage<List<String>> partitions() {
      return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public CompletionStage<Recovered> recover(String partition) {
      List<Row> above = new ArrayList<>();
      rows.values().stream()
          .filter(r -> r.seq() > watermark)
          .sorted((a, b) -> Long.compare(a.seq(), b.seq()))
          .forEach(above::add);
      return CompletableFuture.completedFuture(new Recovered(watermark, above));
    }

    @Override
    public CompletionStage<Done> append(String partition, Row row) {
      writes.incrementAndGet();
      return gate.thenApply(
          x -> {
            if (failWrites) {
              throw new IllegalStateException("Cassandra is down");
            }
            rows.put(row.seq(), row);
            return Done.getInstance();
          });
    }

    final List<String> deadLetters = new CopyOnWriteArrayList<>();
    volatile boolean failDeadLetters;

    @Override
    public CompletionStage<Done> deadLetter(
        String partition, long seq, IngestEntry entry, String error) {
      if (failDeadLetters) {
        return CompletableFuture.failedFuture(new IllegalStateException("Cassandra is down"));
      }
      deadLetters.add(entry.message().message().providerMessageId() + ": " + error);
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<List<DeadLetter>> deadLetters(String partition, int limit) {
      throw new UnsupportedOperationException("not used by the partition");
    }

    @Override
    public CompletionStage<Done> forget(String partition, java.util.UUID id) {
      throw new UnsupportedOperationException("not used by the partition");
    }

    @Override
    public CompletionStage<Done> advance(String partition, long previous, long mark) {
      watermark = mark;
      rows.keySet().removeIf(seq -> seq <= mark);
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  }

  /** Records what reached the conversations; can fail or hold feeds. */
  static final class RecordingFeeder implements IngestPartition.Feeder {
    final List<String> fed = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<String> attempts = new ConcurrentLinkedQueue<>();
    volatile java.util.function.Predicate<String> failing = id -> false;
    volatile java.util.function.Predicate<String> refusing = id -> false;
    volatile boolean hold;

    @Override
    public CompletionStage<Done> feed(IngestEntry entry) {
      String id = entry.message().message().providerMessageId();
      attempts.add(id);
      if (hold) {
        return new CompletableFuture<>();
      }
      if (failing.test(id)) {
        return CompletableFuture.failedFuture(
            new java.util.concurrent.CompletionException(
                new java.util.concurrent.TimeoutException("conversation timed out")));
      }
      if (refusing.test(id)) {
        return CompletableFuture.failedFuture(new IllegalStateException("unknown workspace acme"));
      }
      fed.add(id);
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  }

  static IngestEntry message(String from, String id) {
    return IngestEntry.of(
        "acme",
        Channel.WHATSAPP,
        "wa-1",
        new Inbound.Message(
            new InboundMessage(Channel.WHATSAPP, "wa-1", id, from, "hi", Instant.now()),
            List.of(),
            null));
  }

  ActorRef<IngestPartition.Command> partition(MemoryStore store, RecordingFeeder feeder) {
    return kit.spawn(
        IngestPartition.create("p0", SETTINGS, store, feeder, IngestPartition.Observer.NONE));
  }

  IngestPartition.Outcome append(ActorRef<IngestPartition.Command> p, IngestEntry... entries) {
    return append(p, newId(), entries);
  }

  IngestPartition.Outcome append(
      ActorRef<IngestPartition.Command> p, String id, IngestEntry... entries) {
    TestProbe<IngestPartition.Outcome> probe = kit.createTestProbe();
    p.tell(new IngestPartition.Append(id, List.of(entries), probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(5));
  }

  static String newId() {
    return java.util.UUID.randomUUID().toString();
  }

  static void eventually(Runnable check) {
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(10),
            () -> {
              check.run();
              return null;
            });
  }

  static IngestEntry[] messages(String prefix, int n) {
    IngestEntry[] entries = new IngestEntry[n];
    for (int i = 0; i < n; i++) {
      entries[i] = message(prefix + i, prefix + i);
    }
    return entries;
  }

  @Test
  void appendedOnlyOnceDurableAndAFailedWriteIsNeitherAcknowledgedNorFed() {
    MemoryStore store = new MemoryStore();
    RecordingFeeder feeder = new RecordingFeeder();
    var p = partition(store, feeder);
    CompletableFuture<Void> gate = store.holdWrites();
    TestProbe<IngestPartition.Outcome> probe = kit.createTestProbe();
    p.tell(new IngestPartition.Append(newId(), List.of(message("1", "m1")), probe.getRef()));
    probe.expectNoMessage(Duration.ofMillis(200));
    assertTrue(feeder.attempts.isEmpty(), "nothing is fed before its row is written");
    gate.complete(null);
    assertEquals(IngestPartition.Outcome.APPENDED, probe.receiveMessage());
    eventually(() -> assertEquals(List.of("m1"), feeder.fed));

    store.failWrites = true;
    assertEquals(IngestPartition.Outcome.FAILED, append(p, message("2", "m2")));
    store.failWrites = false;
    assertEquals(IngestPartition.Outcome.APPENDED, append(p, message("3", "m3")));
    eventually(() -> assertEquals(List.of("m1", "m3"), feeder.fed));
    assertTrue(!feeder.attempts.contains("m2"), "a webhook answered 503 reaches no thread");
  }

  @Test
  void appendsWhileARowIsWrittenShareTheNextRow() {
    MemoryStore store = new MemoryStore();
    RecordingFeeder feeder = new RecordingFeeder();
    var p = partition(store, feeder);
    CompletableFuture<Void> gate = store.holdWrites();
    TestProbe<IngestPartition.Outcome> probe = kit.createTestProbe();
    for (int i = 0; i < 30; i++) {
      p.tell(
          new IngestPartition.Append(newId(), List.of(message("c" + i, "b" + i)), probe.getRef()));
    }
    eventually(() -> assertEquals(1, store.writes.get()));
    gate.complete(null);
    for (int i = 0; i < 30; i++) {
      assertEquals(IngestPartition.Outcome.APPENDED, probe.receiveMessage());
    }
    assertEquals(
        2, store.writes.get(), "the first append alone, then the 29 that waited in one row");
    eventually(() -> assertEquals(30, feeder.fed.size()));
  }

  @Test
  void oneCustomersEntriesReachTheThreadInLogOrderAndAFailedFeedIsRetriedNotDropped() {
    MemoryStore store = new MemoryStore();
    RecordingFeeder feeder = new RecordingFeeder();
    AtomicBoolean down = new AtomicBoolean(true);
    feeder.failing = id -> id.equals("a2") && down.get();
    var p = partition(store, feeder);
    for (int i = 1; i <= 5; i++) {
      assertEquals(
          IngestPartition.Outcome.APPENDED,
          append(p, message("alice", "a" + i), message("bob", "b" + i)));
    }
    eventually(() -> assertTrue(Collections.frequency(feeder.attempts, "a2") >= 3));
    assertEquals(
        List.of("b1", "b2", "b3", "b4", "b5"),
        feeder.fed.stream().filter(id -> id.startsWith("b")).toList(),
        "another customer is not held up");
    assertEquals(
        List.of("a1"),
        feeder.fed.stream().filter(id -> id.startsWith("a")).toList(),
        "nothing of alice's overtakes a2");
    down.set(false);
    eventually(
        () ->
            assertEquals(
                List.of("a1", "a2", "a3", "a4", "a5"),
                feeder.fed.stream().filter(id -> id.startsWith("a")).toList()));
    eventually(() -> assertEquals(5, store.watermark, "every row fed: the watermark passed them"));
    assertTrue(store.rows.isEmpty(), "fed rows are dropped");
  }

  @Test
  void anEntryItsThreadKeepsRefusingIsDeadLetteredAndTheCustomerMovesOnButTimeoutsNeverAre() {
    MemoryStore store = new MemoryStore();
    RecordingFeeder feeder = new RecordingFeeder();
    feeder.refusing = id -> id.equals("a2");
    AtomicBoolean slow = new AtomicBoolean(true);
    feeder.failing = id -> id.equals("b1") && slow.get();
    store.failDeadLetters = true;
    var p = partition(store, feeder);
    append(p, message("alice", "a1"), message("alice", "a2"), message("alice", "a3"));
    append(p, message("bob", "b1"), message("bob", "b2"));
    // refused three times, but the dead letter cannot be written yet: alice waits
    eventually(() -> assertTrue(Collections.frequency(feeder.attempts, "a2") >= 4));
    assertEquals(List.of("a1"), feeder.fed.stream().filter(id -> id.startsWith("a")).toList());
    store.failDeadLetters = false;
    eventually(
        () ->
            assertEquals(
                List.of("a1", "a3"),
                feeder.fed.stream().filter(id -> id.startsWith("a")).toList()));
    assertEquals(
        List.of("a2: java.lang.IllegalStateException: unknown workspace acme"), store.deadLetters);
    // a thread timing out is retried for as long as it lasts, never dead-lettered
    eventually(() -> assertTrue(Collections.frequency(feeder.attempts, "b1") >= 6));
    assertTrue(feeder.fed.stream().noneMatch(id -> id.startsWith("b")));
    slow.set(false);
    eventually(
        () ->
            assertEquals(
                List.of("b1", "b2"),
                feeder.fed.stream().filter(id -> id.startsWith("b")).toList()));
    assertEquals(1, store.deadLetters.size());
    eventually(() -> assertEquals(2, store.watermark, "the watermark passed the dead letter"));
  }

  @Test
  void aThreadThatTimesOutForLongWhileOthersAreFedIsGivenUpButNotDuringAnOutage() {
    MemoryStore store = new MemoryStore();
    RecordingFeeder feeder = new RecordingFeeder();
    AtomicBoolean outage = new AtomicBoolean(true);
    feeder.failing = id -> outage.get() || id.equals("s1");
    var settings = settings(Duration.ofMillis(100), Duration.ofMillis(300));
    var p =
        kit.spawn(
            IngestPartition.create("p0", settings, store, feeder, IngestPartition.Observer.NONE));
    append(p, message("stuck", "s1"), message("stuck", "s2"), message("fine", "f1"));
    // everything times out (Cassandra away): retried past give-up-after, nothing set aside
    eventually(() -> assertTrue(Collections.frequency(feeder.attempts, "s1") >= 8));
    assertTrue(store.deadLetters.isEmpty(), "an outage gives nothing up");
    outage.set(false);
    // others are fed again while s1's thread still times out: it is given up, its customer moves on
    eventually(() -> assertEquals(List.of("f1", "s2"), feeder.fed.stream().sorted().toList()));
    assertEquals(1, store.deadLetters.size());
    assertTrue(
        store.deadLetters.get(0).startsWith("s1: timed out for "), store.deadLetters.toString());
    assertTrue(store.deadLetters.get(0).contains("while other customers were fed"));
  }

  @Test
  void aNewOwnerFeedsWhatTheOldOneAcknowledgedButNeverFed() {
    MemoryStore store = new MemoryStore();
    RecordingFeeder stuck = new RecordingFeeder();
    stuck.hold = true;
    var first = partition(store, stuck);
    assertEquals(
        IngestPartition.Outcome.APPENDED, append(first, message("1", "x1"), message("2", "x2")));
    assertEquals(IngestPartition.Outcome.APPENDED, append(first, message("1", "x3")));
    eventually(() -> assertEquals(2, stuck.attempts.size()));
    kit.stop(first); // the node dies: nothing it acknowledged reached a thread

    RecordingFeeder feeder = new RecordingFeeder();
    var second = partition(store, feeder);
    eventually(
        () -> assertEquals(List.of("x1", "x2", "x3"), feeder.fed.stream().sorted().toList()));
    assertTrue(feeder.fed.indexOf("x1") < feeder.fed.indexOf("x3"), "order per customer kept");
    assertEquals(IngestPartition.Outcome.APPENDED, append(second, message("1", "x4")));
    eventually(() -> assertEquals(4, feeder.fed.size()));
    eventually(() -> assertEquals(3, store.watermark, "the new owner's rows follow the old ones"));
  }

  @Test
  void aPartitionHandedOffWritesWhatItWasGivenBeforeItStopsAndTurnsLaterAppendsToItsNextOwner() {
    MemoryStore store = new MemoryStore();
    RecordingFeeder feeder = new RecordingFeeder();
    feeder.hold = true; // nothing is fed before the hand-off: the next owner feeds it all
    var p = partition(store, feeder);
    CompletableFuture<Void> gate = store.holdWrites();
    TestProbe<IngestPartition.Outcome> writing = kit.createTestProbe();
    TestProbe<IngestPartition.Outcome> queued = kit.createTestProbe();
    TestProbe<IngestPartition.Outcome> late = kit.createTestProbe();
    p.tell(new IngestPartition.Append(newId(), List.of(message("1", "s1")), writing.getRef()));
    eventually(() -> assertEquals(1, store.writes.get()));
    p.tell(new IngestPartition.Append(newId(), List.of(message("2", "s2")), queued.getRef()));
    p.tell(IngestPartition.Stop.INSTANCE);
    p.tell(new IngestPartition.Append(newId(), List.of(message("3", "s3")), late.getRef()));
    // told to send again at once (ResendingAppend does, to the next owner), not left to time out
    assertEquals(IngestPartition.Outcome.MOVING, late.receiveMessage(Duration.ofSeconds(2)));
    TestProbe<Object> watcher = kit.createTestProbe();
    watcher.expectNoMessage(Duration.ofMillis(100));
    gate.complete(null);
    // the webhooks it had are answered 200, not 503: both rows are written before it stops
    assertEquals(IngestPartition.Outcome.APPENDED, writing.receiveMessage(Duration.ofSeconds(2)));
    assertEquals(IngestPartition.Outcome.APPENDED, queued.receiveMessage(Duration.ofSeconds(2)));
    watcher.expectTerminated(p, Duration.ofSeconds(2));

    RecordingFeeder next = new RecordingFeeder();
    partition(store, next);
    eventually(() -> assertEquals(List.of("s1", "s2"), next.fed.stream().sorted().toList()));
    assertTrue(!next.attempts.contains("s3"), "what was turned away is not fed");
  }

  @Test
  void aPartitionHandedOffWhileCassandraFailsStopsWithoutWritingAgain() {
    MemoryStore store = new MemoryStore();
    var p = partition(store, new RecordingFeeder());
    CompletableFuture<Void> gate = store.holdWrites();
    TestProbe<IngestPartition.Outcome> writing = kit.createTestProbe();
    TestProbe<IngestPartition.Outcome> queued = kit.createTestProbe();
    p.tell(new IngestPartition.Append(newId(), List.of(message("1", "t1")), writing.getRef()));
    eventually(() -> assertEquals(1, store.writes.get()));
    p.tell(new IngestPartition.Append(newId(), List.of(message("2", "t2")), queued.getRef()));
    p.tell(IngestPartition.Stop.INSTANCE);
    store.failWrites = true;
    gate.complete(null);
    assertEquals(IngestPartition.Outcome.FAILED, writing.receiveMessage(Duration.ofSeconds(2)));
    assertEquals(IngestPartition.Outcome.FAILED, queued.receiveMessage(Duration.ofSeconds(2)));
    kit.createTestProbe().expectTerminated(p, Duration.ofSeconds(2));
    assertEquals(1, store.writes.get(), "the hand-off does not wait for Cassandra");
  }

  @Test
  void anAppendSentAgainIsWrittenOnceAndAnsweredToEverySender() {
    MemoryStore store = new MemoryStore();
    RecordingFeeder feeder = new RecordingFeeder();
    var p = partition(store, feeder);
    CompletableFuture<Void> gate = store.holdWrites();
    TestProbe<IngestPartition.Outcome> first = kit.createTestProbe();
    TestProbe<IngestPartition.Outcome> again = kit.createTestProbe();
    TestProbe<IngestPartition.Outcome> other = kit.createTestProbe();
    String writtenFirst = newId();
    String waitingId = newId();
    p.tell(new IngestPartition.Append(writtenFirst, List.of(message("1", "r1")), first.getRef()));
    eventually(() -> assertEquals(1, store.writes.get()));
    p.tell(new IngestPartition.Append(waitingId, List.of(message("2", "r2")), other.getRef()));
    // both sent again while still unanswered: one in the write, one waiting for the next
    p.tell(new IngestPartition.Append(writtenFirst, List.of(message("1", "r1")), again.getRef()));
    p.tell(new IngestPartition.Append(waitingId, List.of(message("2", "r2")), again.getRef()));
    gate.complete(null);
    assertEquals(IngestPartition.Outcome.APPENDED, first.receiveMessage(Duration.ofSeconds(2)));
    assertEquals(IngestPartition.Outcome.APPENDED, other.receiveMessage(Duration.ofSeconds(2)));
    assertEquals(IngestPartition.Outcome.APPENDED, again.receiveMessage(Duration.ofSeconds(2)));
    assertEquals(IngestPartition.Outcome.APPENDED, again.receiveMessage(Duration.ofSeconds(2)));
    // and once more after its answer (the answer was lost): answered, not written again
    assertEquals(IngestPartition.Outcome.APPENDED, append(p, writtenFirst, message("1", "r1")));
    eventually(() -> assertEquals(List.of("r1", "r2"), feeder.fed));
    assertEquals(2, store.writes.get(), "one row each, none for an append sent again");
  }

  @Test
  void aFullBacklogTurnsAppendsAwayUntilItDrains() {
    MemoryStore store = new MemoryStore();
    RecordingFeeder feeder = new RecordingFeeder();
    feeder.hold = true;
    var p = partition(store, feeder);
    assertEquals(IngestPartition.Outcome.APPENDED, append(p, messages("f", 50)));
    assertEquals(IngestPartition.Outcome.APPENDED, append(p, messages("g", 50)));
    assertEquals(
        IngestPartition.Outcome.BUSY, append(p, message("h", "h1")), "max-backlog 100 reached");
    TestProbe<IngestPartition.Backlog> backlog = kit.createTestProbe();
    p.tell(new IngestPartition.GetBacklog(backlog.getRef()));
    assertEquals(100, backlog.receiveMessage().entries());
  }
}

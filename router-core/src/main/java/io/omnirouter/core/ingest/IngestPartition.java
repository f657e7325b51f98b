package io.omnirouter.core.ingest;

import io.omnirouter.core.CborSerializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One partition of the ingest log (sharded; one owner cluster-wide, moved when its node leaves).
 *
 * <p>Webhook events are appended here and acknowledged once their batch is durable: while one batch
 * is being written, the next collects, so a busy partition pays one Cassandra write for many
 * messages. Each written entry is then fed to its conversation (identity resolution, dedup,
 * persist) — entries with the same {@link IngestEntry#orderKey() customer} one after another, in
 * log order; a failed feed is retried with backoff, never dropped. The watermark (every row at or
 * below it has been fed) is saved every second; a new owner recovers the rows above it and feeds
 * them again, which the conversations' dedup by provider message id makes harmless.
 */
public final class IngestPartition extends AbstractBehavior<IngestPartition.Command> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "IngestPartition");

  public interface Command {}

  /**
   * Append these entries; answered once they are durable (or why not). An append sent again with
   * the same {@code id} ({@link ResendingAppend}) is written once and answered to every sender.
   */
  public record Append(String id, List<IngestEntry> entries, ActorRef<Outcome> replyTo)
      implements Command, CborSerializable {}

  public enum Outcome implements CborSerializable {
    APPENDED,
    /** more entries wait to be fed than the partition may hold: retry later */
    BUSY,
    /** the row could not be written: retry later */
    FAILED,
    /** the partition is stopping to move to another node: send again, its new home will answer */
    MOVING
  }

  /** Starts the partition if it is not running (sent to every partition periodically). */
  public enum Wake implements Command, CborSerializable {
    INSTANCE
  }

  /** Sent by sharding when the partition moves or the node leaves. */
  public enum Stop implements Command, CborSerializable {
    INSTANCE
  }

  public record GetBacklog(ActorRef<Backlog> replyTo) implements Command, CborSerializable {}

  /**
   * @param entries entries appended and not yet fed to their conversations
   * @param oldestMillis how long the oldest of them has waited (0 when none)
   */
  public record Backlog(int entries, long oldestMillis) implements CborSerializable {}

  private record Recovered(IngestStore.Recovered result, Throwable error) implements Command {}

  private record Written(List<Append> batch, IngestStore.Row row, Throwable error)
      implements Command {}

  private record Fed(String key, Throwable error) implements Command {}

  private record Retry(String key) implements Command {}

  private record DeadLettered(String key, long seq, int attempts, String reason, Throwable error)
      implements Command {}

  private enum RecoverAgain implements Command {
    INSTANCE
  }

  private enum SaveTick implements Command {
    INSTANCE
  }

  private enum PumpTick implements Command {
    INSTANCE
  }

  private record Saved(long watermark, Throwable error) implements Command {}

  /** Delivers one entry to its conversation; completes once the conversation has it. */
  public interface Feeder {
    CompletionStage<Done> feed(IngestEntry entry);
  }

  /**
   * @param maxBatch entries per written row at most
   * @param maxBacklog entries appended but not yet fed, at most; beyond it appends get BUSY
   * @param parallelism customers fed at once
   * @param saveInterval how often the watermark is saved
   */
  public record Settings(
      int maxBatch,
      int maxBacklog,
      int parallelism,
      Duration saveInterval,
      Duration minBackoff,
      Duration maxBackoff,
      int deadLetterAfter,
      Duration giveUpAfter) {
    public static Settings fromConfig(com.typesafe.config.Config root) {
      var c = root.getConfig("omnirouter.ingest");
      return new Settings(
          c.getInt("max-batch"),
          c.getInt("max-backlog"),
          c.getInt("parallelism"),
          c.getDuration("save-interval"),
          c.getDuration("min-backoff"),
          c.getDuration("max-backoff"),
          c.getInt("dead-letter-after"),
          c.getDuration("give-up-after"));
    }
  }

  /**
   * Marks a feed failure that says "not now" (the thread is busy) rather than "never": like a
   * timeout, it is retried without limit.
   */
  public interface Retryable {}

  /**
   * A timeout or a {@link Retryable} failure is the thread being slow, busy or unreachable
   * (Cassandra down, a node leaving): retried for as long as it lasts. Anything else is the thread
   * refusing this entry (its workspace was removed, a bug, an entry it cannot apply).
   */
  static boolean retryable(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException || t instanceof Retryable) {
        return true;
      }
    }
    return false;
  }

  /**
   * Paces feeding across the partitions of a node: how long to wait before the next feed may start
   * (0: start it now, and count it).
   */
  public interface Throttle {
    long waitMillis();

    Throttle NONE = () -> 0;

    /**
     * At most {@code perSecond} feeds a second (bursts of a tenth of a second's worth); 0 or less:
     * no limit.
     */
    static Throttle perSecond(double perSecond) {
      if (perSecond <= 0) {
        return NONE;
      }
      long interval = (long) (1e9 / perSecond);
      long burst = Math.max(1, (long) (perSecond / 10));
      return new Throttle() {
        private long next = System.nanoTime();

        @Override
        public synchronized long waitMillis() {
          long now = System.nanoTime();
          next = Math.max(next, now - interval * burst);
          if (next <= now) {
            next += interval;
            return 0;
          }
          return Math.max(1, (next - now) / 1_000_000);
        }
      };
    }
  }

  /** Reports how long entries waited between their append and their conversation (ms). */
  public interface Observer {
    void fed(long waitedMillis);

    /** An entry its thread refused {@code dead-letter-after} times was set aside. */
    default void deadLettered() {}

    Observer NONE = waited -> {};
  }

  public static Behavior<Command> create(
      String partition, Settings settings, IngestStore store, Feeder feeder, Observer observer) {
    return create(partition, settings, store, feeder, observer, Throttle.NONE);
  }

  public static Behavior<Command> create(
      String partition,
      Settings settings,
      IngestStore store,
      Feeder feeder,
      Observer observer,
      Throttle throttle) {
    // a bug must not take the partition down for good: start again from what is stored
    return Behaviors.supervise(
            Behaviors.withStash(
                10_000,
                (StashBuffer<Command> stash) ->
                    Behaviors.setup(
                        ctx ->
                            Behaviors.withTimers(
                                timers -> {
                                  ctx.pipeToSelf(store.recover(partition), Recovered::new);
                                  return recovering(
                                      ctx,
                                      stash,
                                      timers,
                                      new Parts(
                                          partition, settings, store, feeder, observer, throttle),
                                      System.nanoTime());
                                }))))
        .onFailure(
            org.apache.pekko.actor.typed.SupervisorStrategy.restartWithBackoff(
                Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2));
  }

  /** What a partition is made of, besides its actor context. */
  private record Parts(
      String partition,
      Settings settings,
      IngestStore store,
      Feeder feeder,
      Observer observer,
      Throttle throttle) {}

  private static Behavior<Command> recovering(
      ActorContext<Command> ctx,
      StashBuffer<Command> stash,
      TimerScheduler<Command> timers,
      Parts parts,
      long startedAt) {
    String partition = parts.partition();
    IngestStore store = parts.store();
    return Behaviors.receive(Command.class)
        .onMessage(
            Recovered.class,
            r -> {
              if (r.error() != null) {
                ctx.getLog()
                    .warn(
                        "Ingest partition {} could not recover, retrying: {}",
                        partition,
                        r.error());
                timers.startSingleTimer(RecoverAgain.INSTANCE, Duration.ofSeconds(2));
                return Behaviors.same();
              }
              var running = new IngestPartition(ctx, timers, parts);
              running.start(r.result(), (System.nanoTime() - startedAt) / 1_000_000, stash.size());
              return stash.unstashAll(running);
            })
        .onMessageEquals(
            RecoverAgain.INSTANCE,
            () -> {
              ctx.pipeToSelf(store.recover(partition), Recovered::new);
              return Behaviors.same();
            })
        .onMessage(
            Stop.class,
            s -> {
              stash.forEach(
                  c -> {
                    if (c instanceof Append a) {
                      a.replyTo().tell(Outcome.MOVING);
                    }
                  });
              return Behaviors.stopped();
            })
        .onMessage(
            Command.class,
            c -> {
              if (stash.isFull()) {
                if (c instanceof Append a) {
                  a.replyTo().tell(Outcome.BUSY);
                }
                return Behaviors.same();
              }
              stash.stash(c);
              return Behaviors.same();
            })
        .build();
  }

  private final TimerScheduler<Command> timers;
  private final String partition;
  private final Settings settings;
  private final IngestStore store;
  private final Feeder feeder;
  private final Observer observer;
  private final Throttle throttle;
  private final String writer = UUID.randomUUID().toString();

  // writing
  private long nextSeq;
  private boolean writing;
  private final ArrayDeque<Append> waiting = new ArrayDeque<>();
  private List<Append> inWrite = List.of();
  private int waitingEntries;
  // appends waiting or being written, by id: whoever sent one again (null until someone does)
  private final Map<String, List<ActorRef<Outcome>>> unanswered = new HashMap<>();
  // ids of appends written lately: one sent again after its answer was lost is only answered
  private final Set<String> recentlyWritten =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > RECENTLY_WRITTEN;
            }
          });
  // sharding asked it to stop: it writes what it was given, then stops
  private boolean stopping;

  // feeding: per written row, how many of its entries are not fed yet
  private final TreeMap<Long, int[]> unfed = new TreeMap<>();
  private final Map<String, ArrayDeque<Pending>> chains = new HashMap<>();
  private final ArrayDeque<String> ready = new ArrayDeque<>();
  private final Set<String> feeding = new HashSet<>();
  private int backlog;

  // when an entry last reached its thread (ms): a thread timing out while others are fed is stuck
  private long lastFedAt;

  // the watermark
  private long savedWatermark;
  private boolean saving;

  /** {@code failingSince}: when its first feed failed, in ms (0 while none has). */
  private record Pending(
      long seq, IngestEntry entry, long appendedAt, int[] attempts, long[] failingSince) {}

  /** Ids of written appends remembered, to answer appends sent again (seconds of traffic). */
  private static final int RECENTLY_WRITTEN = 4096;

  private IngestPartition(ActorContext<Command> ctx, TimerScheduler<Command> timers, Parts parts) {
    super(ctx);
    this.timers = timers;
    this.partition = parts.partition();
    this.settings = parts.settings();
    this.store = parts.store();
    this.feeder = parts.feeder();
    this.observer = parts.observer();
    this.throttle = parts.throttle();
  }

  private void start(IngestStore.Recovered recovered, long tookMillis, int waiting) {
    savedWatermark = recovered.watermark();
    nextSeq = recovered.watermark() + 1;
    long now = System.currentTimeMillis();
    for (IngestStore.Row row : recovered.rows()) {
      nextSeq = Math.max(nextSeq, row.seq() + 1);
      enqueue(row, now);
    }
    // a partition starts when its node does or when it moves: how long appends waited for it
    getContext()
        .getLog()
        .info(
            "Ingest partition {} started in {} ms: {} entries above watermark {} to feed, {} commands"
                + " waited",
            partition,
            tookMillis,
            backlog,
            savedWatermark,
            waiting);
    timers.startTimerWithFixedDelay(SaveTick.INSTANCE, settings.saveInterval());
    pump();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Append.class, this::onAppend)
        .onMessage(Written.class, this::onWritten)
        .onMessage(Fed.class, this::onFed)
        .onMessage(DeadLettered.class, this::onDeadLettered)
        .onMessage(Retry.class, this::onRetry)
        .onMessageEquals(SaveTick.INSTANCE, this::onSaveTick)
        .onMessageEquals(
            PumpTick.INSTANCE,
            () -> {
              pump();
              return this;
            })
        .onMessage(Saved.class, this::onSaved)
        .onMessage(GetBacklog.class, this::onGetBacklog)
        .onMessageEquals(Wake.INSTANCE, () -> this)
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .onMessage(Recovered.class, r -> this)
        .onMessageEquals(RecoverAgain.INSTANCE, () -> this)
        .build();
  }

  private Behavior<Command> onAppend(Append append) {
    if (recentlyWritten.contains(append.id())) {
      append.replyTo().tell(Outcome.APPENDED);
      return this;
    }
    if (unanswered.containsKey(append.id())) {
      unanswered.computeIfAbsent(append.id(), k -> new ArrayList<>()).add(append.replyTo());
      return this;
    }
    if (stopping) {
      append.replyTo().tell(Outcome.MOVING);
      return this;
    }
    if (backlog + waitingEntries + append.entries().size() > settings.maxBacklog()) {
      append.replyTo().tell(Outcome.BUSY);
      return this;
    }
    unanswered.put(append.id(), null);
    waiting.add(append);
    waitingEntries += append.entries().size();
    if (!writing) {
      write();
    }
    return this;
  }

  /** Writes everything waiting (up to max-batch entries, at least one append) as one row. */
  private void write() {
    List<Append> batch = new ArrayList<>();
    List<IngestEntry> entries = new ArrayList<>();
    while (!waiting.isEmpty()
        && (batch.isEmpty()
            || entries.size() + waiting.peek().entries().size() <= settings.maxBatch())) {
      Append a = waiting.poll();
      batch.add(a);
      entries.addAll(a.entries());
    }
    waitingEntries -= entries.size();
    writing = true;
    inWrite = batch;
    // a failed write's sequence number is used again: the rows of one writer stay contiguous
    IngestStore.Row row = new IngestStore.Row(nextSeq, writer, List.copyOf(entries));
    getContext()
        .pipeToSelf(store.append(partition, row), (done, error) -> new Written(batch, row, error));
  }

  private Behavior<Command> onWritten(Written w) {
    writing = false;
    inWrite = List.of();
    if (w.error() != null) {
      getContext()
          .getLog()
          .warn(
              "Ingest partition {} could not write row {}: {}",
              partition,
              w.row().seq(),
              w.error().toString());
      w.batch().forEach(a -> answer(a, Outcome.FAILED));
      if (stopping) {
        // not again: Cassandra may be away, and the hand-off must not wait for it
        waiting.forEach(a -> answer(a, Outcome.FAILED));
        return Behaviors.stopped();
      }
    } else {
      nextSeq = w.row().seq() + 1;
      w.batch().forEach(a -> answer(a, Outcome.APPENDED));
      enqueue(w.row(), System.currentTimeMillis());
      pump();
    }
    if (!waiting.isEmpty()) {
      write();
    } else if (stopping) {
      return Behaviors.stopped();
    }
    return this;
  }

  private void answer(Append append, Outcome outcome) {
    append.replyTo().tell(outcome);
    List<ActorRef<Outcome>> others = unanswered.remove(append.id());
    if (others != null) {
      others.forEach(r -> r.tell(outcome));
    }
    if (outcome == Outcome.APPENDED) {
      recentlyWritten.add(append.id());
    }
  }

  private void enqueue(IngestStore.Row row, long now) {
    if (row.entries().isEmpty()) {
      return;
    }
    unfed.merge(row.seq(), new int[] {row.entries().size()}, (a, b) -> new int[] {a[0] + b[0]});
    for (IngestEntry e : row.entries()) {
      String key = e.orderKey();
      ArrayDeque<Pending> chain = chains.computeIfAbsent(key, k -> new ArrayDeque<>());
      chain.add(new Pending(row.seq(), e, now, new int[1], new long[1]));
      if (chain.size() == 1 && !feeding.contains(key)) {
        ready.add(key);
      }
      backlog++;
    }
  }

  private void pump() {
    while (feeding.size() < settings.parallelism() && !ready.isEmpty()) {
      long wait = throttle.waitMillis();
      if (wait > 0) {
        if (!timers.isTimerActive(PumpTick.INSTANCE)) {
          timers.startSingleTimer(PumpTick.INSTANCE, Duration.ofMillis(wait));
        }
        return;
      }
      String key = ready.poll();
      ArrayDeque<Pending> chain = chains.get(key);
      if (chain == null || chain.isEmpty() || !feeding.add(key)) {
        continue;
      }
      CompletionStage<Done> fed;
      try {
        fed = feeder.feed(chain.peek().entry());
      } catch (RuntimeException e) {
        fed = java.util.concurrent.CompletableFuture.failedFuture(e);
      }
      getContext().pipeToSelf(fed, (done, error) -> new Fed(key, error));
    }
  }

  private Behavior<Command> onFed(Fed f) {
    ArrayDeque<Pending> chain = answered(f.key());
    if (chain == null) {
      return this;
    }
    Pending head = chain.peek();
    if (f.error() != null) {
      int attempt = ++head.attempts()[0];
      long now = System.currentTimeMillis();
      if (head.failingSince()[0] == 0) {
        head.failingSince()[0] = now;
      }
      boolean refused = !retryable(f.error()) && attempt >= settings.deadLetterAfter();
      if (refused || stuck(head, now)) {
        // its customer's later entries and the partition's watermark wait behind it: set it
        // aside where an operator finds it (the key stays in feeding until it is written)
        feeding.add(f.key());
        String reason =
            refused
                ? f.error().toString()
                : "timed out for "
                    + (now - head.failingSince()[0]) / 1000
                    + " s while other customers were fed: "
                    + f.error();
        getContext()
            .pipeToSelf(
                store.deadLetter(partition, head.seq(), head.entry(), reason),
                (d, error) -> new DeadLettered(f.key(), head.seq(), attempt, reason, error));
        pump();
        return this;
      }
      if (attempt == 1 || attempt % 10 == 0) {
        getContext()
            .getLog()
            .warn(
                "Ingest partition {}: feeding {} failed (attempt {}), retrying: {}",
                partition,
                f.key(),
                attempt,
                f.error().toString());
      }
      long backoff =
          Math.min(
              settings.maxBackoff().toMillis(),
              settings.minBackoff().toMillis() << Math.min(attempt - 1, 16));
      timers.startSingleTimer(new Retry(f.key()), Duration.ofMillis(backoff));
      pump();
      return this;
    }
    lastFedAt = System.currentTimeMillis();
    observer.fed(lastFedAt - head.appendedAt());
    done(f.key(), chain);
    return this;
  }

  /**
   * A thread that has timed out for {@code give-up-after} while this partition fed other customers
   * (so Cassandra and the cluster work) will not take this entry: a conversation whose recovery
   * fails every time. During an outage nothing is fed, and nothing is given up.
   */
  private boolean stuck(Pending head, long now) {
    long giveUpAfter = settings.giveUpAfter().toMillis();
    return giveUpAfter > 0
        && now - head.failingSince()[0] >= giveUpAfter
        && lastFedAt > head.failingSince()[0];
  }

  private Behavior<Command> onDeadLettered(DeadLettered d) {
    ArrayDeque<Pending> chain = answered(d.key());
    if (chain == null) {
      return this;
    }
    if (d.error() != null) {
      // not written: the entry stays at the head and is fed (and refused) again later
      getContext()
          .getLog()
          .warn(
              "Ingest partition {}: dead-lettering {} failed, retrying: {}",
              partition,
              d.key(),
              d.error().toString());
      timers.startSingleTimer(new Retry(d.key()), settings.maxBackoff());
      pump();
      return this;
    }
    getContext()
        .getLog()
        .error(
            "Ingest partition {}: {} refused an entry of row {} {} times; dead-lettered"
                + " (ingest_dead_letters): {}",
            partition,
            d.key(),
            d.seq(),
            d.attempts(),
            d.reason());
    observer.deadLettered();
    done(d.key(), chain);
    return this;
  }

  /**
   * The feed or dead letter of {@code key}'s head has answered: the key is free again. Its chain,
   * or null (and the next feeds started) when nothing of it is left.
   */
  private ArrayDeque<Pending> answered(String key) {
    feeding.remove(key);
    ArrayDeque<Pending> chain = chains.get(key);
    if (chain == null || chain.isEmpty()) {
      pump();
      return null;
    }
    return chain;
  }

  /** The head of {@code key}'s chain is done with (fed or dead-lettered): on to the next. */
  private void done(String key, ArrayDeque<Pending> chain) {
    Pending head = chain.poll();
    backlog--;
    int[] left = unfed.get(head.seq());
    if (left != null && --left[0] == 0) {
      unfed.remove(head.seq());
    }
    if (chain.isEmpty()) {
      chains.remove(key);
    } else {
      ready.add(key);
    }
    pump();
  }

  private Behavior<Command> onRetry(Retry r) {
    if (!feeding.contains(r.key()) && chains.containsKey(r.key())) {
      ready.add(r.key());
      pump();
    }
    return this;
  }

  /** Every row at or below this has been fed; a row being written is above it. */
  private long watermark() {
    return unfed.isEmpty() ? nextSeq - 1 : unfed.firstKey() - 1;
  }

  private Behavior<Command> onSaveTick() {
    long mark = watermark();
    if (!saving && mark > savedWatermark) {
      saving = true;
      getContext()
          .pipeToSelf(
              store.advance(partition, savedWatermark, mark), (d, error) -> new Saved(mark, error));
    }
    return this;
  }

  private Behavior<Command> onSaved(Saved s) {
    saving = false;
    if (s.error() == null) {
      savedWatermark = s.watermark();
    }
    return this;
  }

  private Behavior<Command> onGetBacklog(GetBacklog g) {
    long oldest =
        chains.values().stream()
            .filter(c -> !c.isEmpty())
            .mapToLong(c -> c.peek().appendedAt())
            .min()
            .orElse(0);
    g.replyTo()
        .tell(
            new Backlog(
                backlog + waitingEntries,
                oldest == 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest)));
    return this;
  }

  private Behavior<Command> onStop() {
    // the appends it was given are written before it stops (one row, a few ms; sharding starts the
    // next owner only after this one stopped), so their webhooks get 200, not a 503 to retry;
    // appends arriving from now on are told it moves. Written rows above the saved watermark are
    // fed again by the next owner.
    stopping = true;
    getContext()
        .getLog()
        .info(
            "Ingest partition {} moving: {} appends to write first",
            partition,
            inWrite.size() + waiting.size());
    if (writing) {
      return this;
    }
    if (!waiting.isEmpty()) {
      write();
      return this;
    }
    return Behaviors.stopped();
  }

  /** The partition an order key belongs to, of {@code partitions}. */
  public static int partitionOf(String orderKey, int partitions) {
    return Math.floorMod(orderKey.hashCode(), partitions);
  }
}

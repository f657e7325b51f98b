package io.omnirouter.server.bench;

import com.typesafe.config.ConfigFactory;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.routing.QueuedConversation;
import io.omnirouter.server.Main;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * B6, heap per idle conversation entity (a benchmark, not a test): spawns N conversation entities
 * (the real behavior and settings, on the real journal), gives each one customer message, lets them
 * sit, and divides the growth of the live heap after full GCs by N; then the same for the smallest
 * event-sourced entity Pekko runs (the floor any entity pays). Sharding's own bookkeeping per
 * entity (an entry in its shard's map) is not included. {@code ./omnirouter bench entities [--count
 * 100000]}. Writes under persistence ids {@code Conversation|bench-heap~…} (left in the journal).
 */
public final class EntityHeap {
  private EntityHeap() {}

  /** Entities starting at once: more tripped the journal's breaker right after a storm. */
  private static final int IN_FLIGHT = 200;

  public static void main(String[] args) throws Exception {
    io.omnirouter.core.CommonPool.atLeastTwoThreads(); // first: see its doc
    Map<String, String> o = OpenModel.options(args, "count", "hold-seconds");
    int count = Integer.parseInt(o.getOrDefault("count", "100000"));
    var config =
        ConfigFactory.parseString("pekko.actor.provider = local\n")
            .withFallback(
                Main.loadConfig(new String[] {o.getOrDefault("config", "conf/application.conf")}));
    var base = Conversation.Settings.fromConfig(config);
    var settings =
        new Conversation.Settings(
            base.dedupWindow(), base.snapshotEvery(), Duration.ofDays(1), base.queueConfirmAfter());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "entity-heap", config);
    String run = Long.toString(System.currentTimeMillis(), 36);
    try {
      Entities conversations = conversations(settings, run);
      spawn(system, conversations, 0, 2000); // classes loaded, journal connected
      long before = liveHeap();
      long t0 = System.nanoTime();
      spawn(system, conversations, 2000, 2000 + count);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long after = liveHeap();
      // the same for the smallest event-sourced entity Pekko runs: what any entity costs
      Entities floor = floor(run);
      spawn(system, floor, 0, 2000);
      long floorBefore = liveHeap();
      spawn(system, floor, 2000, 2000 + count);
      long floorAfter = liveHeap();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("what", "heap per idle conversation entity (one message each)");
      out.put("entities", count);
      out.put("heap_before_mb", before / 1_048_576);
      out.put("heap_after_mb", after / 1_048_576);
      out.put("bytes_per_entity", (after - before) / count);
      out.put("spawn_seconds", Math.round(seconds));
      out.put("floor_bytes_per_entity", (floorAfter - floorBefore) / count);
      out.put(
          "floor",
          "the raw-journal bench's writer (an EventSourcedBehavior with an Integer state and one"
              + " small event), spawned the same way");
      System.out.println(io.omnirouter.connectors.support.Json.MAPPER.writeValueAsString(out));
      // time to look inside (jcmd <pid> GC.class_histogram) before the entities go
      long hold = Long.parseLong(o.getOrDefault("hold-seconds", "0"));
      java.util.concurrent.locks.LockSupport.parkNanos(hold * 1_000_000_000L);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  /** Entity {@code i}: spawns it and has it store its one event; completes when it is durable. */
  private interface Entities {
    CompletionStage<?> spawnAndWrite(ActorSystem<Void> system, int i);
  }

  private static Entities conversations(Conversation.Settings settings, String run) {
    return (system, i) -> {
      ActorRef<Conversation.Command> ref =
          system.systemActorOf(
              Conversation.create(
                  "bench-heap~" + run + "-" + i,
                  settings,
                  (ws, ch, acc) -> "support",
                  NO_PORTS,
                  Clock.systemUTC(),
                  null),
              "c" + i,
              Props.empty());
      InboundMessage m =
          new InboundMessage(
              Channel.WHATSAPP,
              "bench-wa",
              "wamid.bench-" + run + "-" + i,
              Long.toString(4_916_000_000_000L + i),
              "Hi, where is my order?",
              java.time.Instant.now());
      return AskPattern.<Conversation.Command, Conversation.Ack>ask(
              ref,
              r -> new Conversation.ReceiveMessage(m, r),
              Duration.ofSeconds(30),
              system.scheduler())
          // as its team router would once the queue entry is written: it stops announcing itself
          .thenApply(
              ack -> {
                ref.tell(new Conversation.QueueConfirmed(1));
                return ack;
              });
    };
  }

  /** The raw-journal bench's writer: an Integer state, one small event per command. */
  private static Entities floor(String run) {
    return (system, i) -> {
      ActorRef<JournalCeiling.Write> ref =
          system.systemActorOf(
              JournalCeiling.writer("bench-floor|" + run + "-" + i, null, false),
              "f" + i,
              Props.empty());
      return AskPattern.<JournalCeiling.Write, JournalCeiling.Done>ask(
          ref, r -> new JournalCeiling.Write("x", r), Duration.ofSeconds(30), system.scheduler());
    };
  }

  private static void spawn(ActorSystem<Void> system, Entities entities, int from, int to)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    AtomicLong failed = new AtomicLong();
    for (int i = from; i < to; i++) {
      inFlight.acquire();
      CompletionStage<?> ack = entities.spawnAndWrite(system, i);
      ack.whenComplete(
          (a, e) -> {
            if (e != null) {
              failed.incrementAndGet();
            }
            inFlight.release();
          });
      if (i % 10_000 == 0 && i > from) {
        System.err.println("  " + (i - from) + " entities");
      }
    }
    inFlight.acquire(IN_FLIGHT);
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " entities did not store their message");
    }
  }

  /** Heap in use after full collections (settled: three in a row). */
  private static long liveHeap() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static final Conversation.Ports NO_PORTS =
      new Conversation.Ports() {
        public void enqueue(String team, QueuedConversation c) {}

        public void dequeue(String team, String conv, String reason) {}

        public void confirmAgent(String agent, String conv) {}

        public void releaseAgent(String agent, String conv) {}

        public void send(OutboundRequest r) {}

        public void stored(
            String conv, long seqNr, List<Conversation.Event> events, String before) {}
      };
}

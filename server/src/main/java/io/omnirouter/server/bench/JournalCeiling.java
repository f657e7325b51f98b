package io.omnirouter.server.bench;

import io.omnirouter.core.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The raw-journal ceiling (a benchmark, not a test): event-sourced actors that only persist one
 * small CBOR event per command — no HTTP, no routing, no read side — driven in an open model at
 * rate steps, with the router's own journal configuration against the running Cassandra. Latency is
 * from the intended send time to the persist's confirmation. {@code ./omnirouter bench journal
 * [--steps 500,1000,2000] [--step-seconds 10] [--entities 1000] [--payload 300] [--tagged true]
 * [--fresh true] [--set 'hocon overrides']}. With {@code --fresh true} every write goes to an
 * entity that has never existed: it recovers (finding nothing), persists its first event and stops
 * — what a new customer's entities cost. Writes under persistence ids {@code
 * bench-journal|<run>-<n>} (left in the journal).
 */
public final class JournalCeiling {
  private JournalCeiling() {}

  /** The persisted event: about the size of a stored customer message. */
  public record Written(String payload) implements CborSerializable {}

  /** Persist one event; answer when it is durable. */
  public record Write(String payload, ActorRef<Done> replyTo) implements CborSerializable {}

  public record Done() implements CborSerializable {}

  static Behavior<Write> writer(String persistenceId, String tag, boolean once) {
    return Behaviors.setup(
        ctx ->
            new EventSourcedBehavior<Write, Written, Integer>(
                PersistenceId.ofUniqueId(persistenceId)) {
              @Override
              public Integer emptyState() {
                return 0;
              }

              @Override
              public CommandHandler<Write, Written, Integer> commandHandler() {
                return newCommandHandlerBuilder()
                    .forAnyState()
                    .onCommand(
                        Write.class,
                        (state, w) ->
                            once
                                ? Effect()
                                    .persist(new Written(w.payload()))
                                    .thenRun(s -> w.replyTo().tell(new Done()))
                                    .thenStop()
                                : Effect()
                                    .persist(new Written(w.payload()))
                                    .thenRun(s -> w.replyTo().tell(new Done())))
                    .build();
              }

              @Override
              public EventHandler<Integer, Written> eventHandler() {
                return newEventHandlerBuilder()
                    .forAnyState()
                    .onEvent(Written.class, (state, e) -> state + 1)
                    .build();
              }

              @Override
              public Set<String> tagsFor(Written event) {
                return tag == null ? Set.of() : Set.of(tag);
              }
            });
  }

  /** Hands each write to an entity of its own that has never existed ({@code --fresh true}). */
  static Behavior<Write> freshWriters(String run, String tag) {
    return Behaviors.setup(
        ctx -> {
          long[] next = {0};
          return Behaviors.receive(Write.class)
              .onMessage(
                  Write.class,
                  w -> {
                    long n = next[0]++;
                    ctx.spawn(writer("bench-journal|" + run + "-fresh-" + n, tag, true), "f" + n)
                        .tell(w);
                    return Behaviors.same();
                  })
              .build();
        });
  }

  public static void main(String[] args) throws Exception {
    io.omnirouter.core.CommonPool.atLeastTwoThreads(); // first: see its doc
    Map<String, String> o =
        OpenModel.options(args, "steps", "step-seconds", "entities", "payload", "tagged", "fresh");
    List<Integer> steps = OpenModel.steps(o, "250,500,1000,2000");
    int stepSeconds = Integer.parseInt(o.getOrDefault("step-seconds", "10"));
    int entities = Integer.parseInt(o.getOrDefault("entities", "1000"));
    String payload = "x".repeat(Integer.parseInt(o.getOrDefault("payload", "300")));
    String tag = Boolean.parseBoolean(o.getOrDefault("tagged", "false")) ? "bench" : null;
    boolean fresh = Boolean.parseBoolean(o.getOrDefault("fresh", "false"));
    var config =
        OpenModel.config(
            o,
            "pekko.actor.provider = local\n"
                + "pekko.actor.serialization-bindings {\n"
                + "  \"io.omnirouter.core.CborSerializable\" = jackson-cbor\n}\n");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "journal-ceiling", config);
    try {
      String run = UUID.randomUUID().toString().substring(0, 8);
      List<ActorRef<Write>> writers = new ArrayList<>();
      if (fresh) {
        writers.add(
            system.systemActorOf(
                freshWriters(run, tag), "fresh", org.apache.pekko.actor.typed.Props.empty()));
      } else {
        for (int i = 0; i < entities; i++) {
          writers.add(
              system.systemActorOf(
                  writer("bench-journal|" + run + "-" + i, tag, false),
                  "w" + i,
                  org.apache.pekko.actor.typed.Props.empty()));
        }
      }
      // warm up (unmeasured): every writer recovers and persists, the JIT compiles the path
      step(system, writers, payload, 200, Math.max(10, entities / 200 + 1), null);
      List<Map<String, Object>> results = new ArrayList<>();
      Integer clean = null;
      Integer sustained = null;
      for (int rate : steps) {
        Map<String, Object> r = step(system, writers, payload, rate, stepSeconds, rate);
        results.add(r);
        System.err.println("  " + r);
        if ((long) r.get("errors") == 0 && (double) r.get("p99_ms") <= 100) {
          clean = rate;
        }
        if ((long) r.get("errors") == 0 && (double) r.get("p99_ms") <= 1000) {
          sustained = rate;
        }
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put(
          "what",
          (fresh ? "new entities' first persists" : "raw journal persists")
              + (tag == null ? "" : ", tagged"));
      out.put("entities", fresh ? "one new per write" : entities);
      out.put("payload_bytes", payload.length());
      out.put("steps", results);
      out.put("highest_clean_rate", clean);
      out.put("highest_sustained_rate", sustained);
      System.out.println(io.omnirouter.connectors.support.Json.MAPPER.writeValueAsString(out));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Map<String, Object> step(
      ActorSystem<Void> system,
      List<ActorRef<Write>> writers,
      String payload,
      int rate,
      int seconds,
      Integer label)
      throws InterruptedException {
    return OpenModel.step(
        rate,
        seconds,
        label,
        (i, due) ->
            AskPattern.<Write, Done>ask(
                writers.get((int) (i % writers.size())),
                reply -> new Write(payload, reply),
                Duration.ofSeconds(10),
                system.scheduler()));
  }
}

package io.omnirouter.persistence;

import io.omnirouter.core.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * Answers "can this node write to and read from the journal right now?". Each check recovers a
 * small per-node probe entity (a read) and persists one event to it (a write). Concurrent checks
 * share one probe run, so the probe's persistence id never has two writers. The probe writes
 * through a copy of the journal plugin with a driver session of its own ({@link
 * #JOURNAL_PLUGIN_ID}) and reads its snapshot through the router's snapshot store.
 */
public final class JournalHealth {
  private JournalHealth() {}

  /**
   * The probe's journal: a copy of the router's that supports deletes (the router's does not, so
   * that recoveries skip the lookup of deleted events; omnirouter-persistence.conf).
   */
  public static final String JOURNAL_PLUGIN_ID = "omnirouter.health-journal.journal";

  public sealed interface Command {}

  public record Check(ActorRef<Result> replyTo) implements Command {}

  private record ProbeDone(Result result) implements Command {}

  private enum ProbeTimeout implements Command {
    INSTANCE
  }

  private record ProbeStopped() implements Command {}

  public record Result(boolean ok, String detail) {}

  /** Asks {@code health} for a check; true when the journal wrote and read back in time. */
  public static java.util.concurrent.CompletionStage<Boolean> ok(
      ActorRef<Command> health,
      Duration timeout,
      org.apache.pekko.actor.typed.Scheduler scheduler) {
    return org.apache.pekko.actor.typed.javadsl.AskPattern.<Command, Result>ask(
            health, Check::new, timeout.plusSeconds(1), scheduler)
        .thenApply(Result::ok);
  }

  /** {@code nodeKey} names this node's probe entity, e.g. its cluster address. */
  public static Behavior<Command> create(String nodeKey, Duration timeout) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new Idle(ctx, timers, nodeKey, timeout).behavior()));
  }

  private record Idle(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, String nodeKey, Duration timeout) {

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Check.class, c -> startProbe(List.of(c.replyTo())))
          .onMessage(ProbeStopped.class, m -> Behaviors.same())
          .onMessage(ProbeDone.class, m -> Behaviors.same())
          .onMessage(ProbeTimeout.class, m -> Behaviors.same())
          .build();
    }

    private Behavior<Command> startProbe(List<ActorRef<Result>> waiting) {
      ActorRef<Probe.Ping> probe = ctx.spawnAnonymous(Probe.create(nodeKey));
      ctx.watchWith(probe, new ProbeStopped());
      probe.tell(new Probe.Ping(ctx.messageAdapter(Result.class, ProbeDone::new)));
      timers.startSingleTimer(ProbeTimeout.INSTANCE, timeout);
      return running(new ArrayList<>(waiting), probe);
    }

    private Behavior<Command> running(List<ActorRef<Result>> waiting, ActorRef<Probe.Ping> probe) {
      return Behaviors.receive(Command.class)
          .onMessage(
              Check.class,
              c -> {
                waiting.add(c.replyTo());
                return Behaviors.same();
              })
          .onMessage(ProbeDone.class, m -> finish(waiting, m.result(), probe))
          .onMessage(
              ProbeTimeout.class,
              m ->
                  finish(
                      waiting,
                      new Result(false, "journal did not answer within " + timeout),
                      probe))
          .onMessage(
              ProbeStopped.class,
              m ->
                  finishStopped(
                      waiting, new Result(false, "journal write or read failed (see log)")))
          .build();
    }

    private Behavior<Command> finish(
        List<ActorRef<Result>> waiting, Result result, ActorRef<Probe.Ping> probe) {
      timers.cancel(ProbeTimeout.INSTANCE);
      waiting.forEach(r -> r.tell(result));
      ctx.stop(probe);
      return awaitingStop();
    }

    private Behavior<Command> finishStopped(List<ActorRef<Result>> waiting, Result result) {
      timers.cancel(ProbeTimeout.INSTANCE);
      waiting.forEach(r -> r.tell(result));
      return behavior();
    }

    /** The previous probe must be gone before the next one writes to the same persistence id. */
    private Behavior<Command> awaitingStop() {
      List<ActorRef<Result>> queued = new ArrayList<>();
      return Behaviors.receive(Command.class)
          .onMessage(
              Check.class,
              c -> {
                queued.add(c.replyTo());
                return Behaviors.same();
              })
          .onMessage(ProbeStopped.class, m -> queued.isEmpty() ? behavior() : startProbe(queued))
          .onMessage(ProbeDone.class, m -> Behaviors.same())
          .onMessage(ProbeTimeout.class, m -> Behaviors.same())
          .build();
    }
  }

  /** The probe entity: recovery is the read, {@link Pinged} the write. Keeps one snapshot. */
  static final class Probe extends EventSourcedBehavior<Probe.Ping, Probe.Pinged, Probe.State> {
    record Ping(ActorRef<Result> replyTo) {}

    public record Pinged(Instant at) implements CborSerializable {}

    public record State(long pings) implements CborSerializable {}

    static Behavior<Ping> create(String nodeKey) {
      return new Probe(nodeKey);
    }

    private Probe(String nodeKey) {
      super(PersistenceId.of("JournalHealth", nodeKey));
    }

    @Override
    public String journalPluginId() {
      return JOURNAL_PLUGIN_ID;
    }

    @Override
    public State emptyState() {
      return new State(0);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(20, 1).withDeleteEventsOnSnapshot();
    }

    @Override
    public CommandHandler<Ping, Pinged, State> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Ping.class,
              (state, ping) ->
                  Effect()
                      .persist(new Pinged(Instant.now()))
                      .thenRun(
                          next ->
                              ping.replyTo()
                                  .tell(
                                      new Result(
                                          true, "journal round trip ok, ping " + next.pings()))))
          .build();
    }

    @Override
    public EventHandler<State, Pinged> eventHandler() {
      return newEventHandlerBuilder()
          .forAnyState()
          .onEvent(Pinged.class, (state, e) -> new State(state.pings() + 1))
          .build();
    }
  }
}

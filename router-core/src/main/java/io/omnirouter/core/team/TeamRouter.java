package io.omnirouter.core.team;

import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.EntityIds;
import io.omnirouter.core.Lru;
import io.omnirouter.core.agent.Agent;
import io.omnirouter.core.routing.AgentView;
import io.omnirouter.core.routing.Assignment;
import io.omnirouter.core.routing.Presence;
import io.omnirouter.core.routing.QueuedConversation;
import io.omnirouter.core.routing.Strategy;
import io.omnirouter.core.routing.TeamRouting;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One team's router (sharded per workspace + team). The queue is event-sourced, so a queued
 * conversation survives restarts, rebalancing and passivation; the agent table is live, fed by the
 * agents themselves. Assignment is two steps: reserve a slot at the {@link Agent} (capacity
 * authority), then offer it to the conversation (assignment authority). Every change drains the
 * queue at once — no polling.
 */
public final class TeamRouter
    extends EventSourcedBehavior<TeamRouter.Command, TeamRouter.Event, TeamRouter.Queue> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "TeamRouter");

  // ---- protocol ----

  public sealed interface Command extends CborSerializable {}

  /** Queue (or re-queue, for a newer episode) a conversation. */
  public record Enqueue(QueuedConversation conversation) implements Command {}

  /** The conversation left the queue another way (resolved, transferred elsewhere). */
  public record Dequeue(String conversationId, String reason) implements Command {}

  /** An agent's current view (from the agent entity). */
  public record AgentChanged(AgentView view) implements Command {}

  /**
   * The queue's first {@code limit} entries in the order they will be handed out, its length and
   * oldest entry, and as many of the team's agents with counts of all of them. A team with
   * thousands waiting, or a thousand agents, answers with a page, not all.
   */
  public record GetQueue(int limit, ActorRef<QueueSummary> replyTo) implements Command {}

  /**
   * {@code queue}: the first entries only (see {@link GetQueue}); {@code length}: all of them.
   * {@code agents}: the first {@code limit} of the team's agents — online, then away, then offline;
   * least loaded first; {@code agentCounts}: all of them.
   */
  public record QueueSummary(
      String team,
      String strategy,
      int length,
      Instant oldestQueuedAt,
      List<QueuedConversation> queue,
      List<AgentView> agents,
      AgentCounts agentCounts,
      int inFlight)
      implements CborSerializable {}

  /** A team's agents by presence, and the conversations its online agents can still take. */
  public record AgentCounts(int online, int away, int offline, int freeSlots) {
    static AgentCounts of(Collection<AgentView> agents) {
      int[] byPresence = new int[Presence.values().length];
      int freeSlots = 0;
      for (AgentView a : agents) {
        byPresence[a.presence().ordinal()]++;
        if (a.presence() == Presence.ONLINE) {
          freeSlots += Math.max(0, a.capacity() - a.load());
        }
      }
      return new AgentCounts(
          byPresence[Presence.ONLINE.ordinal()],
          byPresence[Presence.AWAY.ordinal()],
          byPresence[Presence.OFFLINE.ordinal()],
          freeSlots);
    }
  }

  /**
   * How the queue API lists a team's agents: online first, then away, offline; least loaded first.
   */
  private static final Comparator<AgentView> AGENT_ORDER =
      Comparator.comparing(AgentView::presence)
          .thenComparingInt(AgentView::load)
          .thenComparing(AgentView::agentId);

  /** The conversation's answer to an offered assignment. */
  public sealed interface OfferReply extends CborSerializable {
    String conversationId();

    long episode();
  }

  public record Accepted(String conversationId, long episode) implements OfferReply {}

  public record Declined(String conversationId, long episode, String reason)
      implements OfferReply {}

  record ReserveAnswered(Agent.ReserveReply reply) implements Command {}

  record OfferAnswered(OfferReply reply) implements Command {}

  record StepTimedOut(String conversationId, long episode) implements Command {}

  /** A step still unanswered after {@code stepResendAfter}: sent again once. */
  record StepResend(String conversationId, long episode, boolean offer) implements Command {}

  enum WindowTick implements Command {
    INSTANCE
  }

  /** Writes the events recorded since the last write, as one batch. */
  enum Flush implements Command {
    INSTANCE
  }

  /**
   * Sharding's stop message (passivation, hand-off): writes what is recorded, then stops. A Flush
   * told after the stop would never be read.
   */
  public enum Stop implements Command {
    INSTANCE
  }

  public sealed interface Event extends CborSerializable {}

  public record Enqueued(QueuedConversation conversation) implements Event {}

  public record Dequeued(String conversationId, long episode, String reason) implements Event {}

  /** The durable part as snapshots store it: the queue (an immutable copy of {@link Queue}). */
  public record State(Map<String, QueuedConversation> queued) implements CborSerializable {
    public State {
      queued = Map.copyOf(queued);
    }
  }

  /**
   * The queue while the router runs, changed in place by its events: an immutable copy per event
   * cost O(queue) for every enqueue, and a team with thousands waiting (no agent online at night)
   * made each new message slower than the last. Only this actor touches it; a snapshot stores a
   * copy ({@link #snapshotAdapter}).
   */
  public static final class Queue implements CborSerializable {
    private final Map<String, QueuedConversation> queued;

    @com.fasterxml.jackson.annotation.JsonCreator
    public Queue(
        @com.fasterxml.jackson.annotation.JsonProperty("queued")
            Map<String, QueuedConversation> queued) {
      this.queued = new HashMap<>(queued);
    }

    @com.fasterxml.jackson.annotation.JsonProperty("queued")
    public Map<String, QueuedConversation> queued() {
      return java.util.Collections.unmodifiableMap(queued);
    }

    Queue plus(QueuedConversation c) {
      queued.merge(c.conversationId(), c, (old, neu) -> neu.episode() >= old.episode() ? neu : old);
      return this;
    }

    Queue minus(String id, long episode) {
      QueuedConversation old = queued.get(id);
      if (old != null && old.episode() <= episode) {
        queued.remove(id);
      }
      return this;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Queue q && q.queued.equals(queued);
    }

    @Override
    public int hashCode() {
      return queued.hashCode();
    }
  }

  /** How the router reaches agents and conversations: sharding in production, probes in tests. */
  public interface Ports {
    void reserve(String agentId, String conversationId, ActorRef<Agent.ReserveReply> replyTo);

    void release(String agentId, String conversationId);

    void requestReport(String agentId, ActorRef<AgentView> replyTo);

    void offer(Assignment assignment, ActorRef<OfferReply> replyTo);

    /** The conversation's free-form window closed while it waited in this queue. */
    void windowClosedWhileQueued(String conversationId, long episode, Instant closedAt);

    /** The conversation's place (this episode) is written: it can stop announcing itself. */
    void queued(String conversationId, long episode);

    /**
     * An assignment was accepted: how long its agent took to reserve the slot (from the router's
     * choice) and its conversation to accept it (from the reservation), in nanoseconds.
     */
    default void assigned(long reserveNanos, long acceptNanos) {}
  }

  /**
   * {@code stepResendAfter}: an assignment step (the agent's reservation, the conversation's
   * acceptance) not answered in this time is sent again once; {@link Duration#ZERO}: never. {@code
   * maxInFlight}: the most assignments between "reserve" and "accepted" at once; the rest of the
   * queue waits its turn (see {@link TeamRouting}).
   */
  public record Settings(
      Strategy strategy,
      List<String> members,
      Duration stepTimeout,
      Duration stepResendAfter,
      int maxInFlight) {}

  // ---- behaviour ----

  /**
   * An assignment between "reserve" and "accepted"; {@code sinceNanos}: when it was chosen, then
   * when its slot was reserved ({@code reserveNanos}: how long that took).
   */
  private record InFlight(
      Assignment assignment, boolean reserved, long sinceNanos, long reserveNanos) {}

  public static Behavior<Command> create(
      String entityId, Settings settings, Ports ports, Clock clock) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new TeamRouter(entityId, settings, ports, clock, ctx, timers)));
  }

  private final String team;
  private final Settings settings;
  private final Ports ports;
  private final Clock clock;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  // live, not persisted: rebuilt from the queue and the agents' reports after recovery
  private final TeamRouting routing;
  private final Map<String, InFlight> inFlight = new HashMap<>();
  // the queue as the router acts on it: the durable one plus the events not yet written
  private Queue live = new Queue(Map.of());
  // recorded, applied to live, not yet written; a Flush in the mailbox writes them
  private final List<Event> unwritten = new ArrayList<>();
  // conversations that announced themselves since the last write: confirmed once it is done
  private final Map<String, Long> toConfirm = new HashMap<>();
  private boolean flushPending;
  // when the window tick is due (null: none scheduled)
  private Instant tickAt;
  private final ActorRef<Agent.ReserveReply> reserveAdapter;
  private final ActorRef<OfferReply> offerAdapter;
  // the agent of each recently accepted assignment: a repeated reservation's late answer for one of
  // them is not a slot to give back (the agent holds the conversation)
  private final Map<String, String> recentlyAccepted = Lru.map(1_000, false);

  private TeamRouter(
      String entityId,
      Settings settings,
      Ports ports,
      Clock clock,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
    this.team = EntityIds.local(entityId);
    this.settings = settings;
    this.ports = ports;
    this.clock = clock;
    this.ctx = ctx;
    this.timers = timers;
    this.routing = new TeamRouting(team, settings.strategy(), settings.maxInFlight());
    this.reserveAdapter = ctx.messageAdapter(Agent.ReserveReply.class, ReserveAnswered::new);
    this.offerAdapter = ctx.messageAdapter(OfferReply.class, OfferAnswered::new);
  }

  @Override
  public Queue emptyState() {
    return new Queue(Map.of());
  }

  @Override
  public org.apache.pekko.persistence.typed.SnapshotAdapter<Queue> snapshotAdapter() {
    return new org.apache.pekko.persistence.typed.SnapshotAdapter<>() {
      @Override
      public Object toJournal(Queue queue) {
        return new State(queue.queued());
      }

      @Override
      public Queue fromJournal(Object from) {
        return new Queue(((State) from).queued());
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // a snapshot holds the whole queue: with thousands waiting (the team offline) one every 200
    // events was megabytes written several times a second; recovery replays at most 1,000 events
    return RetentionCriteria.snapshotEvery(1000, 2);
  }

  @Override
  public SignalHandler<Queue> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              live = new Queue(state.queued());
              Instant now = clock.instant();
              state.queued().values().forEach(q -> dispatch(routing.enqueue(q, now)));
              ActorRef<AgentView> reports = ctx.messageAdapter(AgentView.class, AgentChanged::new);
              settings.members().forEach(agent -> ports.requestReport(agent, reports));
              scheduleWindowTick();
            })
        .build();
  }

  @Override
  public CommandHandler<Command, Event, Queue> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Enqueue.class, this::onEnqueue)
        .onCommand(Dequeue.class, this::onDequeue)
        .onCommand(AgentChanged.class, this::onAgentChanged)
        .onCommand(ReserveAnswered.class, this::onReserveAnswered)
        .onCommand(OfferAnswered.class, this::onOfferAnswered)
        .onCommand(StepTimedOut.class, this::onStepTimedOut)
        .onCommand(StepResend.class, this::onStepResend)
        .onCommand(WindowTick.class, this::onWindowTick)
        .onCommand(GetQueue.class, this::onGetQueue)
        .onCommand(Flush.class, this::onFlush)
        .onCommand(Stop.class, this::onStop)
        .build();
  }

  private Effect<Event, Queue> onEnqueue(Queue state, Enqueue cmd) {
    QueuedConversation q = cmd.conversation();
    QueuedConversation known = live.queued().get(q.conversationId());
    if (known != null && known.episode() > q.episode()) {
      return Effect().none(); // an old episode
    }
    // confirmed after the next write, which holds this entry or follows the one that did
    toConfirm.put(q.conversationId(), q.episode());
    requestFlush();
    if (known != null && known.episode() == q.episode()) {
      // the same episode again: a redelivery, or a change of priority keeping its place in time
      q =
          new QueuedConversation(
              q.conversationId(),
              q.episode(),
              q.priority(),
              q.windowClosesAt(),
              known.queuedAt(),
              q.language(),
              q.requiredSkills(),
              q.previousAgent(),
              q.requestedAgent());
      if (q.equals(known)) {
        return Effect().none();
      }
    }
    QueuedConversation entry = q;
    if (known != null
        && known.episode() == q.episode()
        && inFlight.containsKey(q.conversationId())) {
      // being assigned right now: keep the new priority on record, leave the assignment alone
      return record(new Enqueued(entry));
    }
    cancelInFlight(entry.conversationId());
    dispatch(routing.enqueue(entry, clock.instant()));
    scheduleWindowTickFor(entry.windowClosesAt());
    return record(new Enqueued(entry));
  }

  private Effect<Event, Queue> onDequeue(Queue state, Dequeue cmd) {
    QueuedConversation known = live.queued().get(cmd.conversationId());
    if (known == null) {
      return Effect().none();
    }
    routing.remove(cmd.conversationId());
    cancelInFlight(cmd.conversationId());
    dispatch(routing.drain(clock.instant())); // it may have held a place in flight
    return record(new Dequeued(cmd.conversationId(), known.episode(), cmd.reason()));
  }

  private Effect<Event, Queue> onAgentChanged(Queue state, AgentChanged cmd) {
    AgentView view = cmd.view();
    // the router's own reservations the agent has not seen yet still count
    long pending =
        inFlight.values().stream()
            .filter(f -> !f.reserved() && f.assignment().agentId().equals(view.agentId()))
            .count();
    AgentView effective =
        new AgentView(
            view.agentId(),
            view.presence(),
            view.capacity(),
            view.load() + (int) pending,
            view.languages(),
            view.skills(),
            view.lastAssignedAt());
    dispatch(routing.agentUpdated(effective, clock.instant()));
    return Effect().none();
  }

  private Effect<Event, Queue> onReserveAnswered(Queue state, ReserveAnswered msg) {
    Agent.ReserveReply reply = msg.reply();
    String conv = reply.conversationId();
    InFlight f = inFlight.get(conv);
    String agent = reply.view().agentId();
    if (f == null || !f.assignment().agentId().equals(agent)) {
      // no longer wanted (dequeued or re-queued meanwhile): give the slot back — unless this is the
      // second answer to a reservation sent twice whose assignment was accepted since
      if (reply instanceof Agent.Reserved && !agent.equals(recentlyAccepted.get(conv))) {
        ports.release(agent, conv);
      }
      return Effect().none();
    }
    if (f.reserved()) {
      return Effect().none(); // the second answer to a reservation sent twice
    }
    if (reply instanceof Agent.Refused refused) {
      ctx.getLog().debug("{} refused {}: {}", refused.view().agentId(), conv, refused.reason());
      inFlight.remove(conv);
      timers.cancel(conv);
      routing.rollback(f.assignment());
      dispatch(routing.agentUpdated(refused.view(), clock.instant()));
      return Effect().none();
    }
    long now = System.nanoTime();
    inFlight.put(conv, new InFlight(f.assignment(), true, now, now - f.sinceNanos()));
    ports.offer(f.assignment(), offerAdapter);
    scheduleResend(f.assignment(), true);
    return Effect().none();
  }

  private Effect<Event, Queue> onOfferAnswered(Queue state, OfferAnswered msg) {
    OfferReply reply = msg.reply();
    String conv = reply.conversationId();
    InFlight f = inFlight.get(conv);
    if (f == null || f.assignment().episode() != reply.episode()) {
      return Effect().none(); // a repeated offer's second answer, or an earlier episode's
    }
    inFlight.remove(conv);
    timers.cancel(conv);
    if (reply instanceof Declined declined) {
      // the conversation moved on (resolved, newer episode): the slot goes back, the entry goes
      ports.release(f.assignment().agentId(), conv);
      routing.rollback(f.assignment());
      routing.remove(conv);
      dispatch(routing.drain(clock.instant()));
      return record(new Dequeued(conv, f.assignment().episode(), "declined: " + declined.reason()));
    }
    recentlyAccepted.put(conv, f.assignment().agentId());
    ports.assigned(f.reserveNanos(), System.nanoTime() - f.sinceNanos());
    dispatch(routing.settle(conv, clock.instant()));
    return record(
        new Dequeued(conv, f.assignment().episode(), "assigned to " + f.assignment().agentId()));
  }

  private Effect<Event, Queue> onStepTimedOut(Queue state, StepTimedOut msg) {
    InFlight f = inFlight.get(msg.conversationId());
    if (f == null || f.assignment().episode() != msg.episode()) {
      return Effect().none();
    }
    ctx.getLog()
        .warn(
            "Assignment of {} to {} got no answer; retrying",
            msg.conversationId(),
            f.assignment().agentId());
    inFlight.remove(msg.conversationId());
    // a reservation that did happen is freed by the agent's lease; the offer may still be accepted,
    // in which case the conversation declines the retry as a stale duplicate
    routing.rollback(f.assignment());
    dispatch(routing.drain(clock.instant()));
    return Effect().none();
  }

  /**
   * Sends a step that has had no answer for {@code stepResendAfter} once more, to the same agent or
   * conversation — both answer a repeat as they answered the first (the agent already holds the
   * slot; the conversation already accepted). Sharding drops the messages it buffered for a shard
   * being handed off (a node leaving in a rolling update): without this such a step waited out the
   * whole step timeout before the conversation was tried again (docs/RELIABILITY.md).
   */
  private Effect<Event, Queue> onStepResend(Queue state, StepResend msg) {
    InFlight f = inFlight.get(msg.conversationId());
    if (f == null || f.assignment().episode() != msg.episode() || f.reserved() != msg.offer()) {
      return Effect().none(); // answered meanwhile
    }
    ctx.getLog()
        .info(
            "Assignment of {} to {}: {} not answered in {}; sent again",
            msg.conversationId(),
            f.assignment().agentId(),
            msg.offer() ? "offer" : "reservation",
            settings.stepResendAfter());
    if (msg.offer()) {
      ports.offer(f.assignment(), offerAdapter);
    } else {
      ports.reserve(f.assignment().agentId(), msg.conversationId(), reserveAdapter);
    }
    return Effect().none();
  }

  private void scheduleResend(Assignment a, boolean offer) {
    if (settings.stepResendAfter().compareTo(Duration.ZERO) > 0) {
      timers.startSingleTimer(
          new ResendKey(a.conversationId()),
          new StepResend(a.conversationId(), a.episode(), offer),
          settings.stepResendAfter());
    }
  }

  private record ResendKey(String conversationId) {}

  private Effect<Event, Queue> onWindowTick(Queue state, WindowTick tick) {
    Instant now = clock.instant();
    for (QueuedConversation q : routing.queue()) {
      if (q.windowClosesAt() != null
          && !now.isBefore(q.windowClosesAt())
          && now.minus(settings.stepTimeout())
              .isBefore(q.windowClosesAt().plus(settings.stepTimeout()))) {
        ports.windowClosedWhileQueued(q.conversationId(), q.episode(), q.windowClosesAt());
      }
    }
    scheduleWindowTick();
    return Effect().none();
  }

  private Effect<Event, Queue> onGetQueue(Queue state, GetQueue cmd) {
    cmd.replyTo()
        .tell(
            new QueueSummary(
                team,
                settings.strategy().key(),
                routing.length(),
                routing.oldestQueuedAt().orElse(null),
                routing.queue(cmd.limit()),
                routing.agents().stream().sorted(AGENT_ORDER).limit(cmd.limit()).toList(),
                AgentCounts.of(routing.agents()),
                inFlight.size()));
    return Effect().none();
  }

  /**
   * Applies {@code event} to the live queue at once and writes it with the next batch. A router
   * persisting each change by itself stashed every command during each write: one team's changes
   * were capped at one per journal round trip, and under load its stash overflowed and dropped
   * commands (docs/BENCHMARKS.md). The commands that arrive during one write are written together
   * by the next. What has not been written when the router's node dies is lost like a message in
   * its mailbox; the conversation, which has no confirmation of its place ({@link Ports#queued}),
   * announces itself again.
   */
  private Effect<Event, Queue> record(Event event) {
    apply(live, event);
    unwritten.add(event);
    requestFlush();
    return Effect().none();
  }

  private void requestFlush() {
    if (!flushPending) {
      flushPending = true;
      ctx.getSelf().tell(Flush.INSTANCE);
    }
  }

  private Effect<Event, Queue> onFlush(Queue state, Flush flush) {
    flushPending = false;
    return write();
  }

  private Effect<Event, Queue> onStop(Queue state, Stop stop) {
    return write().thenStop();
  }

  /**
   * Writes the recorded events as one batch, then confirms the announcements that came before it (a
   * failed write confirms nothing: the conversations announce themselves again).
   */
  private EffectBuilder<Event, Queue> write() {
    Map<String, Long> confirm = Map.copyOf(toConfirm);
    toConfirm.clear();
    if (unwritten.isEmpty()) {
      confirm.forEach(ports::queued);
      return Effect().none();
    }
    List<Event> batch = List.copyOf(unwritten);
    unwritten.clear();
    return Effect().persist(batch).thenRun(written -> confirm.forEach(ports::queued));
  }

  private static Queue apply(Queue queue, Event event) {
    if (event instanceof Enqueued e) {
      return queue.plus(e.conversation());
    }
    Dequeued d = (Dequeued) event;
    return queue.minus(d.conversationId(), d.episode());
  }

  private void dispatch(List<Assignment> assignments) {
    for (Assignment a : assignments) {
      inFlight.put(a.conversationId(), new InFlight(a, false, System.nanoTime(), 0));
      timers.startSingleTimer(
          a.conversationId(),
          new StepTimedOut(a.conversationId(), a.episode()),
          settings.stepTimeout());
      ports.reserve(a.agentId(), a.conversationId(), reserveAdapter);
      scheduleResend(a, false);
    }
  }

  private void cancelInFlight(String conversationId) {
    InFlight f = inFlight.remove(conversationId);
    if (f != null) {
      timers.cancel(conversationId);
      routing.rollback(f.assignment());
      routing.remove(conversationId);
      if (f.reserved()) {
        ports.release(f.assignment().agentId(), conversationId);
      }
    }
  }

  /** Looks through the whole queue: after recovery and on each tick only. */
  private void scheduleWindowTick() {
    tickAt = null;
    routing.nextWindowClose(clock.instant()).ifPresent(this::scheduleWindowTickFor);
  }

  /** Brings the tick forward if {@code closesAt} comes before it (O(1) per enqueue). */
  private void scheduleWindowTickFor(Instant closesAt) {
    Instant now = clock.instant();
    if (closesAt == null
        || !closesAt.isAfter(now)
        || (tickAt != null && !closesAt.isBefore(tickAt))) {
      return;
    }
    tickAt = closesAt;
    timers.startSingleTimer(WindowTick.INSTANCE, Duration.between(now, closesAt).plusMillis(1));
  }

  @Override
  public EventHandler<Queue, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Event.class, TeamRouter::apply).build();
  }
}

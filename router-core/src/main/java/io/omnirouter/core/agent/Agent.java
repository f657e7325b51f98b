package io.omnirouter.core.agent;

import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.EntityIds;
import io.omnirouter.core.routing.AgentView;
import io.omnirouter.core.routing.Presence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * An agent: profile, presence, capacity and the conversations it holds. The authority on capacity:
 * a team router must {@link Reserve} a slot before it assigns, so an agent in several teams never
 * exceeds its capacity. A reservation not confirmed within a lease (a node crashed between the
 * steps) is checked with the conversation, the authority, which confirms or releases it. Every
 * change is told to the agent's team routers.
 */
public final class Agent
    extends EventSourcedBehaviorWithEnforcedReplies<Agent.Command, Agent.Event, Agent.State> {

  // ---- protocol ----

  public sealed interface Command extends CborSerializable {}

  /** Sets the profile from the workspace configuration (no-op when unchanged). */
  public record Configure(Profile profile, ActorRef<Done> replyTo) implements Command {}

  public record SetPresence(Presence presence, ActorRef<StatusReply<AgentView>> replyTo)
      implements Command {}

  public record SetCapacity(int capacity, ActorRef<StatusReply<AgentView>> replyTo)
      implements Command {}

  /** A router asks for a slot for {@code conversationId}; idempotent for the same conversation. */
  public record Reserve(String conversationId, ActorRef<ReserveReply> replyTo) implements Command {}

  /** The conversation accepted the assignment: the reservation becomes a held conversation. */
  public record Confirm(String conversationId) implements Command {}

  /** The conversation left this agent (resolved, transferred, unassigned) or was never assigned. */
  public record Release(String conversationId) implements Command {}

  /** Sends the current view to {@code replyTo} (a team router starting up). */
  public record Report(ActorRef<AgentView> replyTo) implements Command {}

  public record Get(ActorRef<AgentView> replyTo) implements Command {}

  record LeaseExpired(String conversationId) implements Command {}

  record OfflineGraceExpired(Instant offlineSince) implements Command {}

  public sealed interface ReserveReply extends CborSerializable {
    String conversationId();

    AgentView view();
  }

  public record Reserved(String conversationId, AgentView view) implements ReserveReply {}

  public record Refused(String conversationId, String reason, AgentView view)
      implements ReserveReply {}

  public record Profile(
      String name, List<String> teams, int capacity, List<String> languages, List<String> skills)
      implements CborSerializable {
    public Profile {
      teams = List.copyOf(teams);
      languages = List.copyOf(languages);
      skills = List.copyOf(skills);
    }
  }

  public sealed interface Event extends CborSerializable {}

  public record Configured(Profile profile) implements Event {}

  public record PresenceChanged(Presence presence, Instant at) implements Event {}

  public record CapacityChanged(int capacity) implements Event {}

  public record ConversationReserved(String conversationId, Instant at) implements Event {}

  public record ConversationConfirmed(String conversationId) implements Event {}

  public record ConversationReleased(String conversationId) implements Event {}

  /**
   * @param reserved conversations reserved but not yet confirmed, with when
   * @param presenceSince when the current presence began
   */
  public record State(
      Profile profile,
      Presence presence,
      Instant presenceSince,
      int capacity,
      Set<String> held,
      Map<String, Instant> reserved,
      Instant lastAssignedAt)
      implements CborSerializable {

    public State {
      held = Set.copyOf(held);
      reserved = Map.copyOf(reserved);
    }

    static State empty() {
      return new State(
          new Profile("", List.of(), 0, List.of(), List.of()),
          Presence.OFFLINE,
          null,
          0,
          Set.of(),
          Map.of(),
          null);
    }

    public int load() {
      return held.size() + reserved.size();
    }

    boolean holds(String conversationId) {
      return held.contains(conversationId) || reserved.containsKey(conversationId);
    }

    State with(Profile p) {
      return new State(p, presence, presenceSince, p.capacity(), held, reserved, lastAssignedAt);
    }

    State with(Presence p, Instant at) {
      return new State(profile, p, at, capacity, held, reserved, lastAssignedAt);
    }

    State withCapacity(int c) {
      return new State(profile, presence, presenceSince, c, held, reserved, lastAssignedAt);
    }

    State reserve(String conv, Instant at) {
      Map<String, Instant> r = new HashMap<>(reserved);
      r.put(conv, at);
      return new State(profile, presence, presenceSince, capacity, held, r, at);
    }

    State confirm(String conv) {
      Map<String, Instant> r = new HashMap<>(reserved);
      r.remove(conv);
      Set<String> h = new HashSet<>(held);
      h.add(conv);
      return new State(profile, presence, presenceSince, capacity, h, r, lastAssignedAt);
    }

    State release(String conv) {
      Map<String, Instant> r = new HashMap<>(reserved);
      r.remove(conv);
      Set<String> h = new HashSet<>(held);
      h.remove(conv);
      return new State(profile, presence, presenceSince, capacity, h, r, lastAssignedAt);
    }

    AgentView view(String agentId) {
      return new AgentView(
          agentId,
          presence,
          capacity,
          load(),
          Set.copyOf(profile.languages()),
          Set.copyOf(profile.skills()),
          lastAssignedAt);
    }
  }

  // ---- wiring ----

  /**
   * How the agent reaches its team routers and conversations; sharding in production, probes in
   * tests.
   */
  public interface Ports {
    /** Tell the team router of {@code team} (in this agent's workspace) the agent's new view. */
    void agentChanged(String team, AgentView view);

    /** Ask the conversation to give this agent up (offline grace expired). */
    void unassignForOffline(String conversationId, String agentId);

    /**
     * A reservation was not confirmed in time: ask the conversation (the authority) whether this
     * agent holds it; it answers with {@link Confirm} or {@link Release}.
     */
    void verifyAssignment(String conversationId, String agentId);
  }

  public record Settings(
      Duration reservationLease, Duration offlineGrace, boolean requeueOnOffline) {
    public static Settings fromConfig(com.typesafe.config.Config root) {
      var c = root.getConfig("omnirouter.agent");
      return new Settings(
          c.getDuration("reservation-lease"),
          c.getDuration("offline-grace"),
          c.getBoolean("requeue-on-offline"));
    }
  }

  public static final org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey<Command>
      ENTITY_KEY =
          org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey.create(
              Command.class, "Agent");

  public static Behavior<Command> create(
      String entityId, Settings settings, Ports ports, Clock clock) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new Agent(entityId, settings, ports, clock, ctx, timers)));
  }

  private final String agentId;
  private final Settings settings;
  private final Ports ports;
  private final Clock clock;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;

  private Agent(
      String entityId,
      Settings settings,
      Ports ports,
      Clock clock,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
    this.agentId = EntityIds.local(entityId);
    this.settings = settings;
    this.ports = ports;
    this.clock = clock;
    this.ctx = ctx;
    this.timers = timers;
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              // leases and the offline grace outlive a restart
              state.reserved().keySet().forEach(this::startLease);
              if (state.presence() == Presence.OFFLINE && !state.held().isEmpty()) {
                startOfflineGrace(state);
              }
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Configure.class, this::onConfigure)
        .onCommand(SetPresence.class, this::onSetPresence)
        .onCommand(SetCapacity.class, this::onSetCapacity)
        .onCommand(Reserve.class, this::onReserve)
        .onCommand(Confirm.class, this::onConfirm)
        .onCommand(Release.class, this::onRelease)
        .onCommand(LeaseExpired.class, this::onLeaseExpired)
        .onCommand(OfflineGraceExpired.class, this::onOfflineGraceExpired)
        .onCommand(Report.class, (s, c) -> Effect().reply(c.replyTo(), s.view(agentId)))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s.view(agentId)))
        .build();
  }

  private ReplyEffect<Event, State> onConfigure(State state, Configure cmd) {
    if (cmd.profile().equals(state.profile())) {
      return Effect().reply(cmd.replyTo(), Done.getInstance());
    }
    List<String> oldTeams = state.profile().teams();
    return Effect()
        .persist(new Configured(cmd.profile()))
        .thenRun(
            next -> {
              publish(next);
              // a team the agent left must stop counting on it
              oldTeams.stream()
                  .filter(t -> !next.profile().teams().contains(t))
                  .forEach(
                      t ->
                          ports.agentChanged(
                              t,
                              new AgentView(
                                  agentId,
                                  Presence.OFFLINE,
                                  0,
                                  next.load(),
                                  Set.of(),
                                  Set.of(),
                                  null)));
            })
        .thenReply(cmd.replyTo(), next -> Done.getInstance());
  }

  private ReplyEffect<Event, State> onSetPresence(State state, SetPresence cmd) {
    if (cmd.presence() == state.presence()) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(state.view(agentId)));
    }
    return Effect()
        .persist(new PresenceChanged(cmd.presence(), clock.instant()))
        .thenRun(
            next -> {
              publish(next);
              if (next.presence() == Presence.OFFLINE) {
                startOfflineGrace(next);
              } else {
                timers.cancel(OfflineGraceExpired.class);
              }
            })
        .thenReply(cmd.replyTo(), next -> StatusReply.success(next.view(agentId)));
  }

  private ReplyEffect<Event, State> onSetCapacity(State state, SetCapacity cmd) {
    if (cmd.capacity() < 0 || cmd.capacity() > 1000) {
      return Effect()
          .reply(cmd.replyTo(), StatusReply.error("capacity must be between 0 and 1000"));
    }
    return Effect()
        .persist(new CapacityChanged(cmd.capacity()))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), next -> StatusReply.success(next.view(agentId)));
  }

  private ReplyEffect<Event, State> onReserve(State state, Reserve cmd) {
    String conv = cmd.conversationId();
    if (state.holds(conv)) {
      return Effect().reply(cmd.replyTo(), new Reserved(conv, state.view(agentId)));
    }
    if (state.presence() != Presence.ONLINE) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new Refused(conv, "agent is " + state.presence(), state.view(agentId)));
    }
    if (state.load() >= state.capacity()) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new Refused(conv, "agent is at capacity " + state.capacity(), state.view(agentId)));
    }
    return Effect()
        .persist(new ConversationReserved(conv, clock.instant()))
        .thenRun(
            next -> {
              startLease(conv);
              publish(next);
            })
        .thenReply(cmd.replyTo(), next -> new Reserved(conv, next.view(agentId)));
  }

  private ReplyEffect<Event, State> onConfirm(State state, Confirm cmd) {
    if (!state.reserved().containsKey(cmd.conversationId())) {
      return Effect().noReply(); // already confirmed, or released meanwhile
    }
    timers.cancel(leaseKey(cmd.conversationId()));
    // publishing settles any double count a router made while the reservation was in flight
    return Effect()
        .persist(new ConversationConfirmed(cmd.conversationId()))
        .thenRun(this::publish)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onRelease(State state, Release cmd) {
    if (!state.holds(cmd.conversationId())) {
      return Effect().noReply();
    }
    timers.cancel(leaseKey(cmd.conversationId()));
    return Effect()
        .persist(new ConversationReleased(cmd.conversationId()))
        .thenRun(this::publish)
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onLeaseExpired(State state, LeaseExpired cmd) {
    if (!state.reserved().containsKey(cmd.conversationId())) {
      return Effect().noReply();
    }
    // the confirmation may have been lost with a crashed node: the conversation decides; ask again
    // after another lease if it does not answer
    ctx.getLog()
        .info(
            "Reservation of {} by {} not confirmed yet; asking the conversation",
            cmd.conversationId(),
            agentId);
    ports.verifyAssignment(cmd.conversationId(), agentId);
    startLease(cmd.conversationId());
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onOfflineGraceExpired(State state, OfflineGraceExpired cmd) {
    if (state.presence() == Presence.OFFLINE
        && settings.requeueOnOffline()
        && cmd.offlineSince().equals(state.presenceSince())) {
      state.held().forEach(conv -> ports.unassignForOffline(conv, agentId));
    }
    return Effect().noReply();
  }

  private void startLease(String conv) {
    timers.startSingleTimer(leaseKey(conv), new LeaseExpired(conv), settings.reservationLease());
  }

  private void startOfflineGrace(State state) {
    if (settings.requeueOnOffline() && state.presenceSince() != null) {
      Duration left =
          settings.offlineGrace().minus(Duration.between(state.presenceSince(), clock.instant()));
      timers.startSingleTimer(
          OfflineGraceExpired.class,
          new OfflineGraceExpired(state.presenceSince()),
          left.isNegative() ? Duration.ZERO : left);
    }
  }

  private static String leaseKey(String conv) {
    return "lease-" + conv;
  }

  private void publish(State state) {
    AgentView view = state.view(agentId);
    state.profile().teams().forEach(team -> ports.agentChanged(team, view));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Configured.class, (s, e) -> s.with(e.profile()))
        .onEvent(PresenceChanged.class, (s, e) -> s.with(e.presence(), e.at()))
        .onEvent(CapacityChanged.class, (s, e) -> s.withCapacity(e.capacity()))
        .onEvent(ConversationReserved.class, (s, e) -> s.reserve(e.conversationId(), e.at()))
        .onEvent(ConversationConfirmed.class, (s, e) -> s.confirm(e.conversationId()))
        .onEvent(ConversationReleased.class, (s, e) -> s.release(e.conversationId()))
        .build();
  }
}

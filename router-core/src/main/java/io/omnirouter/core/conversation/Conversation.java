package io.omnirouter.core.conversation;

import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.DedupWindow;
import io.omnirouter.core.EntityIds;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.model.ProviderError;
import io.omnirouter.core.readside.ReadSideTags;
import io.omnirouter.core.routing.Assignment;
import io.omnirouter.core.routing.QueuedConversation;
import io.omnirouter.core.team.TeamRouter;
import io.omnirouter.core.window.ChannelWindows;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One conversation thread of a contact in a workspace (entity id {@code <workspace>~<contact>}):
 * messages in arrival order, the lifecycle, the current assignee — it is the authority on who is
 * assigned — per-channel last inbound time for the reply windows, and recent provider ids for
 * dedup. Event-sourced and sharded; messages themselves go to the read side, not the state.
 */
public final class Conversation
    extends EventSourcedBehaviorWithEnforcedReplies<
        Conversation.Command, Conversation.Event, Conversation.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Conversation");

  public enum Status {
    NEW,
    QUEUED,
    ASSIGNED,
    PENDING,
    SNOOZED,
    RESOLVED;

    boolean open() {
      return this == QUEUED || this == ASSIGNED || this == PENDING || this == SNOOZED;
    }

    boolean withAgent() {
      return this == ASSIGNED || this == PENDING || this == SNOOZED;
    }
  }

  // ---- protocol: commands ----

  public sealed interface Command extends CborSerializable {}

  /**
   * Store a customer message unless its provider id was seen before; replies once it is durable.
   */
  public record ReceiveMessage(InboundMessage message, ActorRef<Ack> replyTo) implements Command {}

  /** A team router offers an assignment; the conversation accepts it or declines with why. */
  public record Offer(Assignment assignment, ActorRef<TeamRouter.OfferReply> replyTo)
      implements Command {}

  /** Hand the conversation to a team, or to one agent (of that team), with a comment. */
  public record Transfer(
      String toTeam,
      String toAgent,
      String comment,
      String by,
      ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  /**
   * Back to the queue. {@code onlyAgent}: do it only if this agent is still the assignee (the
   * system asking after an offline grace); {@code replyTo} may then be null.
   */
  public record Unassign(
      String reason, String by, String onlyAgent, ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  public record Resolve(String by, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

  public record Reopen(String by, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

  public record Snooze(Instant until, String by, ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  /** Waiting on the customer. */
  public record MarkPending(String by, ActorRef<StatusReply<Summary>> replyTo) implements Command {}

  public record SetPriority(int priority, String by, ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  public record ChangeTags(
      Set<String> add, Set<String> remove, ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  public record AddNote(String text, String by, ActorRef<StatusReply<Long>> replyTo)
      implements Command {}

  /** An agent's reply: checked against the channel window, persisted as pending, then sent. */
  public record SendReply(
      String messageId,
      Channel channel,
      OutboundContent content,
      String by,
      ActorRef<ReplyResult> replyTo)
      implements Command {}

  /** From the outbound sender: the provider accepted the message (or finally refused it). */
  public record RecordSendResult(String messageId, String providerMessageId, ProviderError error)
      implements Command {}

  /**
   * From an agent whose reservation was not confirmed: confirm it if it is the assignee, else
   * release.
   */
  public record VerifyAssignment(String agentId) implements Command {}

  /** A channel event of this contact (opt-out/opt-in keywords, subscribe, follow, postback…). */
  public record RecordChannelEvent(Channel channel, String kind, String payload, Instant at)
      implements Command {}

  /** A provider's delivery status for one of our messages (unknown ids are ignored). */
  public record RecordDelivery(
      String providerMessageId, Inbound.DeliveryStatus status, ProviderError error, Instant at)
      implements Command {}

  /** From the team router: the free-form window closed while this conversation waited. */
  public record WindowClosedWhileQueued(long episode, Instant closedAt) implements Command {}

  public record GetSummary(ActorRef<Summary> replyTo) implements Command {}

  /** Sent by sharding to stop the entity; needs no reply. */
  public enum Passivate implements Command {
    INSTANCE
  }

  /**
   * Ends a snooze that is due: the conversation's own timer sends it, and so does the read side's
   * watch at the snooze's end (a conversation whose node left while it slept is not running, so no
   * timer of its own is left). The read-side audit sends it to start queued conversations again.
   * Nothing for one that is not snoozed; one that is early restarts its timer.
   */
  public enum Wake implements Command {
    INSTANCE
  }

  enum Idle implements Command {
    INSTANCE
  }

  /**
   * From the team router: this episode's place in its queue is durable. Until it comes the
   * conversation announces itself again every {@code queue-confirm-after} and does not passivate —
   * an {@code Enqueue} lost on its way (sharding drops messages buffered during a hand-off) or in a
   * batch its router never wrote (the router's node died) would otherwise leave it QUEUED and in no
   * queue.
   */
  public record QueueConfirmed(long episode) implements Command {}

  enum ConfirmDue implements Command {
    INSTANCE
  }

  // ---- protocol: replies ----

  public sealed interface Ack extends CborSerializable {}

  /** The message is persisted as number {@code sequence} of this thread (1-based). */
  public record Stored(long sequence) implements Ack {}

  /** The provider id was already stored: nothing changed. */
  public record Duplicate(String providerMessageId) implements Ack {}

  public sealed interface ReplyResult extends CborSerializable {}

  public record ReplyAccepted(String messageId, long sequence) implements ReplyResult {}

  /** Refused by the channel window: why, when it closed, and what is allowed instead. */
  public record ReplyRefused(String messageId, ChannelWindows.Decision decision)
      implements ReplyResult {}

  /** Refused for another reason (unknown channel for this contact, resolved conversation…). */
  public record ReplyInvalid(String messageId, String reason) implements ReplyResult {}

  public record Summary(
      String conversationId,
      Status status,
      long episode,
      String team,
      String assignee,
      int priority,
      Set<String> tags,
      long messageCount,
      Map<Channel, Instant> lastInboundAt,
      Map<Channel, ChannelWindows.Decision> freeFormWindows,
      boolean windowClosedWhileQueued,
      Instant snoozedUntil,
      List<Assignment> recentAssignments,
      List<String> recentProviderIds,
      int pendingReplies,
      Map<String, String> replyStates)
      implements CborSerializable {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  /** {@code at}: when we stored it (the provider's own time is in the message). */
  public record MessageReceived(InboundMessage message, long sequence, Instant at)
      implements Event {}

  /**
   * Entered a team queue for a new episode.
   *
   * @param cause new, reopened, transferred, unassigned, woke
   */
  public record Queued(
      String team,
      long episode,
      String cause,
      String requestedAgent,
      String comment,
      String by,
      Instant at)
      implements Event {}

  public record AgentAssigned(Assignment assignment) implements Event {}

  public record AgentUnassigned(String agentId, String reason, String by, Instant at)
      implements Event {}

  public record Resolved(String by, Instant at) implements Event {}

  public record Snoozed(Instant until, String by, Instant at) implements Event {}

  public record MarkedPending(String by, Instant at) implements Event {}

  /** Back with the agent from pending/snoozed (timer or customer message). */
  public record Woke(String cause, Instant at) implements Event {}

  public record PriorityChanged(int priority, String by, Instant at) implements Event {}

  public record TagsChanged(Set<String> tags, Instant at) implements Event {}

  public record NoteAdded(long sequence, String text, String by, Instant at) implements Event {}

  public record ReplyQueued(
      long sequence,
      String messageId,
      Channel channel,
      String channelAccount,
      String recipient,
      OutboundContent content,
      String by,
      Instant at,
      List<String> thread,
      String subject,
      String replyToken)
      implements Event {
    public ReplyQueued {
      thread = thread == null ? List.of() : List.copyOf(thread);
    }
  }

  public record WindowExpiredWhileQueued(long episode, Instant closedAt, Instant at)
      implements Event {}

  /** The contact opted out of (or back into) a channel: SMS STOP / START. */
  public record OptOutChanged(Channel channel, boolean optedOut, Instant at) implements Event {}

  public record ReplySent(String messageId, String providerMessageId, Instant at)
      implements Event {}

  /**
   * The provider refused the message for good; {@code error} says why (window closed, blocked…).
   */
  public record ReplyFailed(String messageId, ProviderError error, Instant at) implements Event {}

  public record ReplyDeliveryUpdated(
      String messageId, Inbound.DeliveryStatus status, ProviderError error, Instant at)
      implements Event {}

  // ---- state ----

  /**
   * Where to reach the contact on a channel, from its last inbound message there. For e-mail,
   * {@code thread} holds the Message-IDs to reply to (References + the last Message-ID) and {@code
   * subject} the last subject, so the customer's client threads our reply.
   */
  public record Endpoint(
      String channelAccount,
      String recipient,
      Instant lastInboundAt,
      List<String> thread,
      String subject,
      String replyToken,
      boolean optedOut)
      implements CborSerializable {
    public Endpoint {
      thread = thread == null ? List.of() : List.copyOf(thread);
    }
  }

  public record State(
      Status status,
      long episode,
      String team,
      String assignee,
      String previousAgent,
      String requestedAgent,
      int priority,
      Set<String> tags,
      long sequence,
      Map<Channel, Endpoint> endpoints,
      DedupWindow recentIds,
      Instant snoozedUntil,
      long windowExpiredEpisode,
      List<Assignment> recentAssignments,
      Map<String, OutboundRequest> pendingOutbound,
      Map<String, String> sentByProviderId,
      Map<String, String> replyStates)
      implements CborSerializable {

    static final int ASSIGNMENT_HISTORY = 10;
    static final int SENT_INDEX = 200;
    private static final int THREAD_REFERENCES = 10;

    public State {
      tags = Set.copyOf(tags);
      endpoints = Map.copyOf(endpoints);
      recentAssignments = List.copyOf(recentAssignments);
      pendingOutbound = pendingOutbound == null ? Map.of() : Map.copyOf(pendingOutbound);
      sentByProviderId = sentByProviderId == null ? Map.of() : Map.copyOf(sentByProviderId);
      replyStates = replyStates == null ? Map.of() : Map.copyOf(replyStates);
    }

    /** Shared: immutable, and every conversation starts from it (emptyState() runs per entity). */
    private static final State EMPTY =
        new State(
            Status.NEW,
            0,
            null,
            null,
            null,
            null,
            0,
            Set.of(),
            0,
            Map.of(),
            DedupWindow.empty(),
            null,
            0,
            List.of(),
            Map.of(),
            Map.of(),
            Map.of());

    public static State empty() {
      return EMPTY;
    }

    /** A copy of this state with the fields {@code change} sets; the rest stay as they are. */
    private State edit(java.util.function.Consumer<Draft> change) {
      Draft d = new Draft(this);
      change.accept(d);
      return d.build();
    }

    /** The mutable working copy {@link #edit} hands out; never escapes a state transition. */
    private static final class Draft {
      Status status;
      long episode;
      String team;
      String assignee;
      String previousAgent;
      String requestedAgent;
      int priority;
      Set<String> tags;
      long sequence;
      Map<Channel, Endpoint> endpoints;
      DedupWindow recentIds;
      Instant snoozedUntil;
      long windowExpiredEpisode;
      List<Assignment> recentAssignments;
      Map<String, OutboundRequest> pendingOutbound;
      Map<String, String> sentByProviderId;
      Map<String, String> replyStates;

      Draft(State s) {
        status = s.status;
        episode = s.episode;
        team = s.team;
        assignee = s.assignee;
        previousAgent = s.previousAgent;
        requestedAgent = s.requestedAgent;
        priority = s.priority;
        tags = s.tags;
        sequence = s.sequence;
        endpoints = s.endpoints;
        recentIds = s.recentIds;
        snoozedUntil = s.snoozedUntil;
        windowExpiredEpisode = s.windowExpiredEpisode;
        recentAssignments = s.recentAssignments;
        pendingOutbound = s.pendingOutbound;
        sentByProviderId = s.sentByProviderId;
        replyStates = s.replyStates;
      }

      State build() {
        return new State(
            status,
            episode,
            team,
            assignee,
            previousAgent,
            requestedAgent,
            priority,
            tags,
            sequence,
            endpoints,
            recentIds,
            snoozedUntil,
            windowExpiredEpisode,
            recentAssignments,
            pendingOutbound,
            sentByProviderId,
            replyStates);
      }
    }

    State with(Status s) {
      return edit(d -> d.status = s);
    }

    State withMessage(InboundMessage m, long seq, int dedupWindow) {
      Map<Channel, Endpoint> e = new EnumMap<>(Channel.class);
      e.putAll(endpoints);
      Endpoint old = e.get(m.channel());
      Instant last =
          old == null || m.receivedAt().isAfter(old.lastInboundAt())
              ? m.receivedAt()
              : old.lastInboundAt();
      e.put(
          m.channel(),
          new Endpoint(
              m.channelAccount(),
              m.senderId(),
              last,
              thread(m, old),
              subject(m, old),
              m.replyToken(),
              old != null && old.optedOut()));
      return edit(
          d -> {
            d.sequence = seq;
            d.endpoints = e;
            d.recentIds = recentIds.plus(m.dedupKey(), dedupWindow);
          });
    }

    private static List<String> thread(InboundMessage m, Endpoint old) {
      var c = m.content();
      if (c.emailMessageId() == null) {
        return old == null ? List.of() : old.thread();
      }
      List<String> refs = new ArrayList<>(c.references());
      if (c.inReplyTo() != null && !refs.contains(c.inReplyTo())) {
        refs.add(c.inReplyTo());
      }
      refs.add(c.emailMessageId());
      return List.copyOf(refs.subList(Math.max(0, refs.size() - THREAD_REFERENCES), refs.size()));
    }

    private static String subject(InboundMessage m, Endpoint old) {
      return m.content().subject() != null
          ? m.content().subject()
          : old == null ? null : old.subject();
    }

    State queued(Queued q) {
      return edit(
          d -> {
            d.status = Status.QUEUED;
            d.episode = q.episode();
            d.team = q.team();
            d.previousAgent = assignee != null ? assignee : previousAgent;
            d.assignee = null;
            d.requestedAgent = q.requestedAgent();
            d.snoozedUntil = null;
          });
    }

    State assigned(Assignment a) {
      List<Assignment> history = new ArrayList<>(recentAssignments);
      history.add(a);
      if (history.size() > ASSIGNMENT_HISTORY) {
        history.remove(0);
      }
      return edit(
          d -> {
            d.status = Status.ASSIGNED;
            d.assignee = a.agentId();
            d.requestedAgent = null;
            d.snoozedUntil = null;
            d.recentAssignments = history;
          });
    }

    State unassigned() {
      return edit(
          d -> {
            d.previousAgent = assignee;
            d.assignee = null;
            d.snoozedUntil = null;
          });
    }

    State resolved() {
      return edit(
          d -> {
            d.status = Status.RESOLVED;
            d.previousAgent = assignee != null ? assignee : previousAgent;
            d.assignee = null;
            d.requestedAgent = null;
            d.snoozedUntil = null;
          });
    }

    State snoozed(Instant until) {
      return edit(
          d -> {
            d.status = Status.SNOOZED;
            d.snoozedUntil = until;
          });
    }

    State withPriority(int p) {
      return edit(d -> d.priority = p);
    }

    State withTags(Set<String> t) {
      return edit(d -> d.tags = t);
    }

    State withSequence(long seq, String dedupKey, int dedupWindow) {
      return edit(
          d -> {
            d.sequence = seq;
            if (dedupKey != null) {
              d.recentIds = recentIds.plus(dedupKey, dedupWindow);
            }
          });
    }

    State windowExpired(long ep) {
      return edit(d -> d.windowExpiredEpisode = ep);
    }

    State withOptOut(Channel channel, boolean optedOut) {
      Endpoint old = endpoints.get(channel);
      Map<Channel, Endpoint> e = new EnumMap<>(Channel.class);
      e.putAll(endpoints);
      e.put(
          channel,
          new Endpoint(
              old.channelAccount(),
              old.recipient(),
              old.lastInboundAt(),
              old.thread(),
              old.subject(),
              old.replyToken(),
              optedOut));
      return edit(d -> d.endpoints = e);
    }

    State queuedOutbound(OutboundRequest r) {
      Map<String, OutboundRequest> p = new java.util.HashMap<>(pendingOutbound);
      p.put(r.messageId(), r);
      return edit(d -> d.pendingOutbound = p);
    }

    State sent(String messageId, String providerId) {
      Map<String, OutboundRequest> p = new java.util.HashMap<>(pendingOutbound);
      p.remove(messageId);
      Map<String, String> idx = new java.util.LinkedHashMap<>(sentByProviderId);
      if (providerId != null) {
        idx.put(providerId, messageId);
        while (idx.size() > SENT_INDEX) {
          idx.remove(idx.keySet().iterator().next());
        }
      }
      return edit(
          d -> {
            d.pendingOutbound = p;
            d.sentByProviderId = idx;
          });
    }

    /** The delivery state of our recent replies: queued, sent, delivered, read, failed: why. */
    State replyState(String messageId, String state) {
      Map<String, String> m = new java.util.LinkedHashMap<>(replyStates);
      m.put(messageId, state);
      while (m.size() > SENT_INDEX) {
        m.remove(m.keySet().iterator().next());
      }
      return edit(d -> d.replyStates = m);
    }

    /** The soonest-closing free-form window among the contact's channels, or null. */
    Instant soonestWindowClose() {
      Instant soonest = null;
      for (var e : endpoints.entrySet()) {
        Instant t = ChannelWindows.freeFormUntil(e.getKey(), e.getValue().lastInboundAt());
        if (t != null && (soonest == null || t.isBefore(soonest))) {
          soonest = t;
        }
      }
      return soonest;
    }
  }

  // ---- wiring ----

  /** Hears a conversation's events once they are durable. */
  @FunctionalInterface
  public interface StoredListener {
    /**
     * {@code events} are durable as journal sequence numbers {@code firstSequenceNr…}; {@code
     * assigneeBefore} is who had the conversation before the first of them (for the live stream).
     */
    void stored(
        String conversationId, long firstSequenceNr, List<Event> events, String assigneeBefore);
  }

  /** How the conversation reaches routers and agents: sharding in production, probes in tests. */
  public interface Ports extends StoredListener {
    void enqueue(String team, QueuedConversation conversation);

    void dequeue(String team, String conversationId, String reason);

    void confirmAgent(String agentId, String conversationId);

    void releaseAgent(String agentId, String conversationId);

    /** Hand a persisted reply to the channel's sender; it answers with {@link RecordSendResult}. */
    void send(OutboundRequest request);
  }

  /** Which team a channel account routes to (automation may choose later). */
  public interface Directory {
    String defaultTeam(String workspace, Channel channel, String channelAccount);
  }

  public record Settings(
      int dedupWindow, int snapshotEvery, Duration passivateAfter, Duration queueConfirmAfter) {
    public static Settings fromConfig(com.typesafe.config.Config root) {
      var config = root.getConfig("omnirouter.conversation");
      return new Settings(
          config.getInt("dedup-window"),
          config.getInt("snapshot-every"),
          config.getDuration("passivate-after"),
          config.getDuration("queue-confirm-after"));
    }
  }

  /**
   * @param passivate asks sharding to stop this entity (given its ref); null when not sharded
   */
  public static Behavior<Command> create(
      String entityId,
      Settings settings,
      Directory directory,
      Ports ports,
      Clock clock,
      java.util.function.Consumer<ActorRef<Command>> passivate) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new Conversation(
                        entityId, settings, directory, ports, clock, passivate, ctx, timers)));
  }

  private final String conversationId;
  private final Settings settings;
  private final Directory directory;
  private final Ports ports;
  private final Clock clock;
  private final java.util.function.Consumer<ActorRef<Command>> passivate;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Set<String> tags;
  private static final int EARLY_DELIVERIES = 50;
  // made when the first one comes (rarely): every idle conversation in memory paid for an empty map
  private Map<String, RecordDelivery> earlyDeliveries = Map.of();
  // the episode whose place its team router has confirmed as written (live only: after a restart a
  // queued conversation announces itself again)
  private long confirmedEpisode = -1;

  private Conversation(
      String entityId,
      Settings settings,
      Directory directory,
      Ports ports,
      Clock clock,
      java.util.function.Consumer<ActorRef<Command>> passivate,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
    EntityIds.workspace(entityId); // validates the id
    this.conversationId = entityId;
    this.settings = settings;
    this.directory = directory;
    this.ports = ports;
    this.clock = clock;
    this.passivate = passivate;
    this.ctx = ctx;
    this.timers = timers;
    this.tags = ReadSideTags.conversationTagSet(entityId);
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return tags;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state.status() == Status.SNOOZED && state.snoozedUntil() != null) {
                startSnoozeTimer(state.snoozedUntil());
              }
              // at least once: replies persisted but not confirmed sent go out again (same message
              // id)
              state.pendingOutbound().values().forEach(r -> ports.send(r.nextAttempt()));
              if (state.status() == Status.QUEUED) {
                enqueue(state); // its router may never have written it (see QueueConfirmed)
              }
              if (passivate != null) {
                ctx.setReceiveTimeout(settings.passivateAfter(), Idle.INSTANCE);
              }
            })
        .build();
  }

  /**
   * Persists {@code events}; once they are durable (never for a failed write) the live stream hears
   * of them, each with its journal sequence number.
   */
  private EffectBuilder<Event, State> store(State before, Event event) {
    return store(before, List.of(event));
  }

  private EffectBuilder<Event, State> store(State before, List<Event> events) {
    String assigneeBefore = before.assignee();
    return Effect()
        .persist(events)
        .thenRun(
            next ->
                ports.stored(
                    conversationId,
                    lastSequenceNumber(ctx) - events.size() + 1,
                    events,
                    assigneeBefore));
  }

  /**
   * Writes events that queue this conversation and announces it to its team at once rather than
   * after the write, so the team's reservation at an agent (a write of its own) overlaps ours
   * instead of following it (B3 in docs/BENCHMARKS.md). Safe: the team's offer waits behind our
   * write (commands are stashed while it runs); if the write fails, the offer finds no such episode
   * and is declined, which frees the agent's slot and the team's entry; the command that asked is
   * not answered (an ingest partition delivers its message again; an API caller gets an error).
   */
  private EffectBuilder<Event, State> storeAnnounced(State before, List<Event> events) {
    State after = before;
    for (Event e : events) {
      after = apply(after, e);
    }
    enqueue(after);
    return store(before, events);
  }

  // ---- command handlers, grouped by lifecycle ----

  /**
   * One method reference per entity: Pekko's handler builder allocates its cases per instance
   * (about 4.6 KB per entity — half of an idle conversation's heap; docs/BENCHMARKS.md, B6), so the
   * lifecycle's dispatch is written out here, in the order the cases are tried.
   */
  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return this::handle;
  }

  private ReplyEffect<Event, State> handle(State s, Command c) {
    Status status = s.status();
    if (status == Status.NEW) {
      if (c instanceof ReceiveMessage m) {
        return onFirstMessage(s, m);
      } else if (c instanceof Offer o) {
        return decline(o, "no conversation yet");
      } else if (c instanceof SendReply r) {
        return Effect()
            .reply(r.replyTo(), new ReplyInvalid(r.messageId(), "the contact has not written yet"));
      }
    }
    if (status == Status.RESOLVED) {
      if (c instanceof ReceiveMessage m) {
        return onMessageWhenResolved(s, m);
      } else if (c instanceof Reopen r) {
        return onReopen(s, r);
      } else if (c instanceof Resolve r) {
        return Effect().reply(r.replyTo(), StatusReply.success(summary(s)));
      }
    }
    if (status == Status.QUEUED) {
      if (c instanceof Offer o) {
        return onOffer(s, o);
      } else if (c instanceof WindowClosedWhileQueued w) {
        return onWindowClosedWhileQueued(s, w);
      } else if (c instanceof QueueConfirmed q) {
        return onQueueConfirmed(s, q);
      } else if (c instanceof ConfirmDue d) {
        return onConfirmDue(s, d);
      }
    }
    if (status == Status.PENDING || status == Status.SNOOZED) {
      if (c instanceof ReceiveMessage m) {
        return onMessageWhileWaiting(s, m);
      } else if (c instanceof Wake w) {
        return onWake(s, w);
      }
    }
    if (status.withAgent()) {
      if (c instanceof Unassign u) {
        return onUnassign(s, u);
      } else if (c instanceof Snooze z) {
        return onSnooze(s, z);
      } else if (c instanceof MarkPending p) {
        return onMarkPending(s, p);
      }
    }
    if (status.open()) {
      if (c instanceof Resolve r) {
        return onResolve(s, r);
      } else if (c instanceof Transfer t) {
        return onTransfer(s, t);
      }
    }
    return inAnyState(s, c);
  }

  private ReplyEffect<Event, State> inAnyState(State s, Command c) {
    if (c instanceof ReceiveMessage m) {
      return onMessage(s, m);
    } else if (c instanceof Offer o) {
      return onOffer(s, o);
    } else if (c instanceof SendReply r) {
      return onSendReply(s, r);
    } else if (c instanceof RecordSendResult r) {
      return onSendResult(s, r);
    } else if (c instanceof RecordDelivery d) {
      return onDelivery(s, d);
    } else if (c instanceof RecordChannelEvent e) {
      return onChannelEvent(s, e);
    } else if (c instanceof VerifyAssignment v) {
      return onVerifyAssignment(s, v);
    } else if (c instanceof AddNote n) {
      return onAddNote(s, n);
    } else if (c instanceof SetPriority p) {
      return onSetPriority(s, p);
    } else if (c instanceof ChangeTags t) {
      return onChangeTags(s, t);
    } else if (c instanceof GetSummary g) {
      return Effect().reply(g.replyTo(), summary(s));
    } else if (c instanceof WindowClosedWhileQueued
        || c instanceof Wake
        || c instanceof QueueConfirmed
        || c instanceof ConfirmDue) {
      return Effect().noReply();
    } else if (c instanceof Idle i) {
      return onIdle(s, i);
    } else if (c instanceof Passivate) {
      return Effect().stop().thenNoReply();
    } else if (c instanceof Reopen r) {
      return Effect().reply(r.replyTo(), StatusReply.error("conversation is " + s.status()));
    } else if (c instanceof Unassign u) {
      return rejectStatus(s, u.replyTo());
    } else if (c instanceof Snooze z) {
      return rejectStatus(s, z.replyTo());
    } else if (c instanceof MarkPending p) {
      return rejectStatus(s, p.replyTo());
    } else if (c instanceof Transfer t) {
      return rejectStatus(s, t.replyTo());
    } else if (c instanceof Resolve r) {
      return rejectStatus(s, r.replyTo());
    }
    throw new IllegalStateException(
        "unhandled " + c.getClass().getSimpleName() + " in " + s.status());
  }

  private ReplyEffect<Event, State> onFirstMessage(State state, ReceiveMessage cmd) {
    InboundMessage m = cmd.message();
    String team =
        directory.defaultTeam(EntityIds.workspace(conversationId), m.channel(), m.channelAccount());
    long seq = state.sequence() + 1;
    Queued queued = new Queued(team, 1, "new", null, null, "system", clock.instant());
    return storeAnnounced(state, List.of(new MessageReceived(m, seq, clock.instant()), queued))
        .thenReply(cmd.replyTo(), next -> new Stored(seq));
  }

  private ReplyEffect<Event, State> onMessage(State state, ReceiveMessage cmd) {
    if (state.recentIds().contains(cmd.message().dedupKey())) {
      return Effect().reply(cmd.replyTo(), new Duplicate(cmd.message().providerMessageId()));
    }
    long seq = state.sequence() + 1;
    return store(state, new MessageReceived(cmd.message(), seq, clock.instant()))
        .thenRun(
            next -> {
              // still waiting: announce it again — its window moved with this message, and a team
              // router that lost the entry (its node died before the batched write) has it back
              if (next.status() == Status.QUEUED) {
                enqueue(next);
              }
            })
        .thenReply(cmd.replyTo(), next -> new Stored(seq));
  }

  private ReplyEffect<Event, State> onMessageWhenResolved(State state, ReceiveMessage cmd) {
    if (state.recentIds().contains(cmd.message().dedupKey())) {
      return Effect().reply(cmd.replyTo(), new Duplicate(cmd.message().providerMessageId()));
    }
    long seq = state.sequence() + 1;
    Queued queued =
        new Queued(
            state.team(), state.episode() + 1, "reopened", null, null, "customer", clock.instant());
    return storeAnnounced(
            state, List.of(new MessageReceived(cmd.message(), seq, clock.instant()), queued))
        .thenReply(cmd.replyTo(), next -> new Stored(seq));
  }

  private ReplyEffect<Event, State> onMessageWhileWaiting(State state, ReceiveMessage cmd) {
    if (state.recentIds().contains(cmd.message().dedupKey())) {
      return Effect().reply(cmd.replyTo(), new Duplicate(cmd.message().providerMessageId()));
    }
    long seq = state.sequence() + 1;
    timers.cancel(Wake.INSTANCE);
    return store(
            state,
            List.of(
                new MessageReceived(cmd.message(), seq, clock.instant()),
                new Woke("customer message", clock.instant())))
        .thenReply(cmd.replyTo(), next -> new Stored(seq));
  }

  private ReplyEffect<Event, State> onOffer(State state, Offer cmd) {
    Assignment a = cmd.assignment();
    if (state.status() == Status.ASSIGNED
        && a.episode() == state.episode()
        && a.agentId().equals(state.assignee())) {
      // a retried offer of what was already accepted
      ports.confirmAgent(a.agentId(), conversationId);
      return Effect().reply(cmd.replyTo(), new TeamRouter.Accepted(conversationId, a.episode()));
    }
    if (state.status() != Status.QUEUED) {
      return decline(cmd, "conversation is " + state.status());
    }
    if (a.episode() != state.episode()) {
      return decline(cmd, "stale episode " + a.episode() + ", current " + state.episode());
    }
    if (!a.team().equals(state.team())) {
      return decline(cmd, "queued in team " + state.team() + ", not " + a.team());
    }
    if (state.requestedAgent() != null && !state.requestedAgent().equals(a.agentId())) {
      return decline(cmd, "transferred to " + state.requestedAgent());
    }
    return store(state, new AgentAssigned(a))
        .thenRun(next -> ports.confirmAgent(a.agentId(), conversationId))
        .thenReply(cmd.replyTo(), next -> new TeamRouter.Accepted(conversationId, a.episode()));
  }

  private ReplyEffect<Event, State> decline(Offer cmd, String reason) {
    return Effect()
        .reply(
            cmd.replyTo(),
            new TeamRouter.Declined(conversationId, cmd.assignment().episode(), reason));
  }

  private ReplyEffect<Event, State> onWindowClosedWhileQueued(
      State state, WindowClosedWhileQueued cmd) {
    if (cmd.episode() != state.episode() || state.windowExpiredEpisode() == state.episode()) {
      return Effect().noReply();
    }
    // still closed? a newer customer message may have reopened it
    Instant soonest = state.soonestWindowClose();
    if (soonest != null && soonest.isAfter(clock.instant())) {
      return Effect().noReply();
    }
    return store(
            state, new WindowExpiredWhileQueued(cmd.episode(), cmd.closedAt(), clock.instant()))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onUnassign(State state, Unassign cmd) {
    String agent = state.assignee();
    if (cmd.onlyAgent() != null && !cmd.onlyAgent().equals(agent)) {
      return rejectStatus(state, cmd.replyTo());
    }
    Instant now = clock.instant();
    return store(
            state,
            List.of(
                new AgentUnassigned(agent, cmd.reason(), cmd.by(), now),
                new Queued(
                    state.team(),
                    state.episode() + 1,
                    "unassigned",
                    null,
                    cmd.reason(),
                    cmd.by(),
                    now)))
        .thenRun(
            next -> {
              ports.releaseAgent(agent, conversationId);
              enqueue(next);
            })
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onTransfer(State state, Transfer cmd) {
    String team = cmd.toTeam() == null || cmd.toTeam().isBlank() ? state.team() : cmd.toTeam();
    String oldTeam = state.team();
    String agent = state.assignee();
    Instant now = clock.instant();
    List<Event> events = new ArrayList<>();
    if (agent != null) {
      events.add(new AgentUnassigned(agent, "transferred", cmd.by(), now));
    }
    events.add(
        new Queued(
            team,
            state.episode() + 1,
            "transferred",
            blankToNull(cmd.toAgent()),
            cmd.comment(),
            cmd.by(),
            now));
    boolean wasQueued = state.status() == Status.QUEUED;
    return store(state, events)
        .thenRun(
            next -> {
              if (agent != null) {
                ports.releaseAgent(agent, conversationId);
              }
              if (wasQueued && !oldTeam.equals(team)) {
                ports.dequeue(oldTeam, conversationId, "transferred to " + team);
              }
              enqueue(next);
            })
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onResolve(State state, Resolve cmd) {
    String agent = state.assignee();
    boolean wasQueued = state.status() == Status.QUEUED;
    timers.cancel(Wake.INSTANCE);
    return store(state, new Resolved(cmd.by(), clock.instant()))
        .thenRun(
            next -> {
              if (agent != null) {
                ports.releaseAgent(agent, conversationId);
              }
              if (wasQueued) {
                ports.dequeue(state.team(), conversationId, "resolved");
              }
            })
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onReopen(State state, Reopen cmd) {
    Queued queued =
        new Queued(
            state.team(), state.episode() + 1, "reopened", null, null, cmd.by(), clock.instant());
    return storeAnnounced(state, List.of(queued))
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onSnooze(State state, Snooze cmd) {
    if (!cmd.until().isAfter(clock.instant())) {
      return Effect().reply(cmd.replyTo(), StatusReply.error("snooze time must be in the future"));
    }
    return store(state, new Snoozed(cmd.until(), cmd.by(), clock.instant()))
        .thenRun(next -> startSnoozeTimer(cmd.until()))
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onMarkPending(State state, MarkPending cmd) {
    return store(state, new MarkedPending(cmd.by(), clock.instant()))
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onWake(State state, Wake cmd) {
    if (state.status() != Status.SNOOZED) {
      return Effect().noReply();
    }
    if (state.snoozedUntil() != null && state.snoozedUntil().isAfter(clock.instant())) {
      startSnoozeTimer(state.snoozedUntil()); // woke early (clock skew after restart)
      return Effect().noReply();
    }
    return store(state, new Woke("snooze ended", clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onSendReply(State state, SendReply cmd) {
    String dedupKey = "out:" + cmd.messageId();
    if (state.recentIds().contains(dedupKey)) {
      return Effect().reply(cmd.replyTo(), new ReplyAccepted(cmd.messageId(), -1));
    }
    Endpoint endpoint = state.endpoints().get(cmd.channel());
    if (endpoint == null) {
      return Effect()
          .reply(
              cmd.replyTo(),
              new ReplyInvalid(
                  cmd.messageId(), "the contact has not written on " + cmd.channel().key()));
    }
    ChannelWindows.Decision decision =
        ChannelWindows.decide(
            cmd.channel(),
            cmd.content().windowKind(),
            new ChannelWindows.Context(endpoint.lastInboundAt(), endpoint.optedOut(), true),
            clock.instant());
    if (!decision.allowed()) {
      return Effect().reply(cmd.replyTo(), new ReplyRefused(cmd.messageId(), decision));
    }
    long seq = state.sequence() + 1;
    return store(
            state,
            new ReplyQueued(
                seq,
                cmd.messageId(),
                cmd.channel(),
                endpoint.channelAccount(),
                endpoint.recipient(),
                cmd.content(),
                cmd.by(),
                clock.instant(),
                endpoint.thread(),
                endpoint.subject(),
                freshReplyToken(endpoint)))
        .thenRun(next -> ports.send(next.pendingOutbound().get(cmd.messageId())))
        .thenReply(cmd.replyTo(), next -> new ReplyAccepted(cmd.messageId(), seq));
  }

  private ReplyEffect<Event, State> onSendResult(State state, RecordSendResult cmd) {
    if (!state.pendingOutbound().containsKey(cmd.messageId())) {
      return Effect().noReply(); // a late duplicate of a result already recorded
    }
    Event event =
        cmd.error() == null
            ? new ReplySent(cmd.messageId(), cmd.providerMessageId(), clock.instant())
            : new ReplyFailed(cmd.messageId(), cmd.error(), clock.instant());
    return store(state, event)
        .thenRun(
            next -> {
              // a status that overtook the provider's answer to our send is applied now
              RecordDelivery early =
                  cmd.providerMessageId() == null
                      ? null
                      : earlyDeliveries.isEmpty()
                          ? null
                          : earlyDeliveries.remove(cmd.providerMessageId());
              if (early != null) {
                ctx.getSelf().tell(early);
              }
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onVerifyAssignment(State state, VerifyAssignment cmd) {
    if (cmd.agentId().equals(state.assignee())) {
      ports.confirmAgent(cmd.agentId(), conversationId);
    } else {
      ports.releaseAgent(cmd.agentId(), conversationId);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onChannelEvent(State state, RecordChannelEvent cmd) {
    Endpoint endpoint = state.endpoints().get(cmd.channel());
    boolean optOut = "opt-out".equals(cmd.kind());
    if (endpoint == null
        || !(optOut || "opt-in".equals(cmd.kind()))
        || endpoint.optedOut() == optOut) {
      return Effect().noReply(); // other events are for automation, which does not exist yet
    }
    return store(state, new OptOutChanged(cmd.channel(), optOut, clock.instant())).thenNoReply();
  }

  private ReplyEffect<Event, State> onDelivery(State state, RecordDelivery cmd) {
    String messageId = state.sentByProviderId().get(cmd.providerMessageId());
    if (messageId == null) {
      if (!state.pendingOutbound().isEmpty()) {
        // providers may send "delivered" before our sender has recorded their answer to the send:
        // keep it until that answer arrives (in memory, a few at most)
        if (earlyDeliveries.isEmpty()) {
          earlyDeliveries = new java.util.LinkedHashMap<>();
        }
        earlyDeliveries.merge(
            cmd.providerMessageId(),
            cmd,
            (kept, later) ->
                deliveryRank(stateOf(later)) > deliveryRank(stateOf(kept)) ? later : kept);
        while (earlyDeliveries.size() > EARLY_DELIVERIES) {
          earlyDeliveries.remove(earlyDeliveries.keySet().iterator().next());
        }
      }
      return Effect().noReply();
    }
    if (deliveryRank(stateOf(cmd)) <= deliveryRank(state.replyStates().get(messageId))) {
      // providers post statuses concurrently and out of order ("sent" after "delivered"): a
      // status never moves a reply backwards, and a repeated one stores nothing
      return Effect().noReply();
    }
    return store(
            state, new ReplyDeliveryUpdated(messageId, cmd.status(), cmd.error(), clock.instant()))
        .thenNoReply();
  }

  private static String stateOf(RecordDelivery cmd) {
    return deliveryState(cmd.status(), cmd.error());
  }

  /** The state a provider's delivery status puts a reply in: its name, or "failed: why". */
  private static String deliveryState(Inbound.DeliveryStatus status, ProviderError error) {
    return error != null ? failure(error) : status.name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * How far a reply's delivery state has got: queued, sent, failed, delivered, read. "failed" ranks
   * above "sent" (WhatsApp reports a failure after "sent") and below "delivered" (a later delivery
   * receipt is better evidence than an earlier failure).
   */
  static int deliveryRank(String replyState) {
    if (replyState == null) {
      return -1;
    } else if (replyState.startsWith("failed")) {
      return 2;
    }
    switch (replyState) {
      case "queued":
        return 0;
      case "sent":
        return 1;
      case "delivered":
        return 3;
      case "read":
        return 4;
      default:
        return -1;
    }
  }

  private ReplyEffect<Event, State> onAddNote(State state, AddNote cmd) {
    if (cmd.text() == null || cmd.text().isBlank()) {
      return Effect().reply(cmd.replyTo(), StatusReply.error("a note needs text"));
    }
    long seq = state.sequence() + 1;
    return store(state, new NoteAdded(seq, cmd.text(), cmd.by(), clock.instant()))
        .thenReply(cmd.replyTo(), next -> StatusReply.success(seq));
  }

  private ReplyEffect<Event, State> onSetPriority(State state, SetPriority cmd) {
    if (cmd.priority() < 0 || cmd.priority() > 3) {
      return Effect()
          .reply(cmd.replyTo(), StatusReply.error("priority must be 0 (normal) to 3 (urgent)"));
    }
    return store(state, new PriorityChanged(cmd.priority(), cmd.by(), clock.instant()))
        .thenRun(
            next -> {
              if (next.status() == Status.QUEUED) {
                // the queue orders by priority: re-queue this episode with the new one
                enqueue(next);
              }
            })
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onChangeTags(State state, ChangeTags cmd) {
    Set<String> tags = new HashSet<>(state.tags());
    tags.addAll(cmd.add());
    tags.removeAll(cmd.remove());
    if (tags.equals(state.tags())) {
      return Effect().reply(cmd.replyTo(), StatusReply.success(summary(state)));
    }
    return store(state, new TagsChanged(tags, clock.instant()))
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onIdle(State state, Idle cmd) {
    // a snoozed conversation stays up so its timer can wake it; one with unsent replies, to see
    // them out; a queued one until its router has its place written down
    if (state.status() != Status.SNOOZED
        && state.pendingOutbound().isEmpty()
        && !awaitingConfirmation(state)
        && passivate != null) {
      passivate.accept(ctx.getSelf());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> rejectStatus(
      State state, ActorRef<StatusReply<Summary>> replyTo) {
    if (replyTo == null) {
      return Effect().noReply();
    }
    return Effect()
        .reply(
            replyTo, StatusReply.error("not possible while the conversation is " + state.status()));
  }

  // ---- side effects ----

  /** Announces this episode to its team; again every queue-confirm-after until confirmed. */
  private void enqueue(State state) {
    confirmedEpisode = -1;
    ports.enqueue(state.team(), queued(state));
    timers.startSingleTimer(ConfirmDue.INSTANCE, settings.queueConfirmAfter());
  }

  private boolean awaitingConfirmation(State state) {
    return state.status() == Status.QUEUED && confirmedEpisode != state.episode();
  }

  private ReplyEffect<Event, State> onQueueConfirmed(State state, QueueConfirmed cmd) {
    if (cmd.episode() == state.episode()) {
      confirmedEpisode = cmd.episode();
      timers.cancel(ConfirmDue.INSTANCE);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onConfirmDue(State state, ConfirmDue due) {
    if (awaitingConfirmation(state)) {
      ctx.getLog()
          .info(
              "{} episode {}: team {} has not confirmed its place; announcing it again",
              conversationId,
              state.episode(),
              state.team());
      enqueue(state);
    }
    return Effect().noReply();
  }

  private QueuedConversation queued(State state) {
    return new QueuedConversation(
        conversationId,
        state.episode(),
        state.priority(),
        state.soonestWindowClose(),
        clock.instant(),
        null,
        Set.of(),
        state.requestedAgent() != null ? state.requestedAgent() : state.previousAgent(),
        state.requestedAgent());
  }

  private void startSnoozeTimer(Instant until) {
    Duration d = Duration.between(clock.instant(), until);
    timers.startSingleTimer(Wake.INSTANCE, d.isNegative() ? Duration.ZERO : d);
  }

  private Summary summary(State s) {
    Instant now = clock.instant();
    Map<Channel, Instant> last = new EnumMap<>(Channel.class);
    Map<Channel, ChannelWindows.Decision> windows = new EnumMap<>(Channel.class);
    s.endpoints()
        .forEach(
            (ch, e) -> {
              last.put(ch, e.lastInboundAt());
              windows.put(
                  ch,
                  ChannelWindows.decide(
                      ch,
                      ChannelWindows.Kind.FREE_FORM,
                      new ChannelWindows.Context(e.lastInboundAt(), e.optedOut(), true),
                      now));
            });
    return new Summary(
        conversationId,
        s.status(),
        s.episode(),
        s.team(),
        s.assignee(),
        s.priority(),
        s.tags(),
        s.sequence(),
        last,
        windows,
        s.windowExpiredEpisode() == s.episode() && s.episode() > 0,
        s.snoozedUntil(),
        s.recentAssignments(),
        s.recentIds().keys(),
        s.pendingOutbound().size(),
        s.replyStates());
  }

  /** LINE's reply token is free to use for about a minute after the customer's message. */
  private String freshReplyToken(Endpoint endpoint) {
    if (endpoint.replyToken() == null
        || clock
            .instant()
            .isAfter(endpoint.lastInboundAt().plus(ChannelWindows.LINE_REPLY_TOKEN))) {
      return null;
    }
    return endpoint.replyToken();
  }

  /**
   * The delivery state a reply event leaves its message in (queued, sent, delivered, read, failed:
   * why), or null for other events. The entity and the read side both use it.
   */
  public static String replyStateAfter(Event event) {
    if (event instanceof ReplyQueued) {
      return "queued";
    } else if (event instanceof ReplySent) {
      return "sent";
    } else if (event instanceof ReplyFailed e) {
      return failure(e.error());
    } else if (event instanceof ReplyDeliveryUpdated e) {
      return deliveryState(e.status(), e.error());
    }
    return null;
  }

  private static String failure(ProviderError e) {
    return "failed: "
        + e.outcome().name().toLowerCase(java.util.Locale.ROOT)
        + " ("
        + e.code()
        + " "
        + e.message()
        + ")";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  // ---- events ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return this::apply; // not Pekko's builder: see commandHandler()
  }

  private State apply(State s, Event event) {
    int dedup = settings.dedupWindow();
    if (event instanceof MessageReceived e) {
      return s.withMessage(e.message(), e.sequence(), dedup);
    } else if (event instanceof Queued e) {
      return s.queued(e);
    } else if (event instanceof AgentAssigned e) {
      return s.assigned(e.assignment());
    } else if (event instanceof AgentUnassigned) {
      return s.unassigned();
    } else if (event instanceof Resolved) {
      return s.resolved();
    } else if (event instanceof Snoozed e) {
      return s.snoozed(e.until());
    } else if (event instanceof MarkedPending) {
      return s.with(Status.PENDING);
    } else if (event instanceof Woke) {
      return s.with(Status.ASSIGNED);
    } else if (event instanceof PriorityChanged e) {
      return s.withPriority(e.priority());
    } else if (event instanceof TagsChanged e) {
      return s.withTags(e.tags());
    } else if (event instanceof NoteAdded e) {
      return s.withSequence(e.sequence(), null, dedup);
    } else if (event instanceof ReplyQueued e) {
      return s.withSequence(e.sequence(), "out:" + e.messageId(), dedup)
          .queuedOutbound(
              new OutboundRequest(
                  conversationId,
                  e.messageId(),
                  e.channel(),
                  e.channelAccount(),
                  e.recipient(),
                  e.content(),
                  1,
                  e.thread(),
                  e.subject(),
                  e.replyToken()))
          .replyState(e.messageId(), replyStateAfter(e));
    } else if (event instanceof ReplySent e) {
      return s.sent(e.messageId(), e.providerMessageId())
          .replyState(e.messageId(), replyStateAfter(e));
    } else if (event instanceof ReplyFailed e) {
      return s.sent(e.messageId(), null).replyState(e.messageId(), replyStateAfter(e));
    } else if (event instanceof ReplyDeliveryUpdated e) {
      return s.replyState(e.messageId(), replyStateAfter(e));
    } else if (event instanceof OptOutChanged e) {
      return s.withOptOut(e.channel(), e.optedOut());
    } else if (event instanceof WindowExpiredWhileQueued e) {
      return s.windowExpired(e.episode());
    }
    throw new IllegalStateException("unknown event " + event.getClass().getName());
  }
}

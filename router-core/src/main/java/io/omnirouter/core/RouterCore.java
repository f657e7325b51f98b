package io.omnirouter.core;

import io.omnirouter.core.agent.Agent;
import io.omnirouter.core.contact.Contact;
import io.omnirouter.core.contact.Identity;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.routing.AgentView;
import io.omnirouter.core.routing.Assignment;
import io.omnirouter.core.routing.QueuedConversation;
import io.omnirouter.core.routing.Strategy;
import io.omnirouter.core.team.TeamRouter;
import io.omnirouter.core.workspace.Workspaces;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Starts the sharded entities (conversations, agents, team routers, identities, contacts) and
 * connects their ports through Cluster Sharding. The one entry the HTTP edge uses.
 */
public final class RouterCore {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Workspaces workspaces;
  // set by the wiring once the senders exist; until then replies wait in the conversation
  private volatile java.util.function.Consumer<OutboundRequest> outbound = r -> {};
  // set by the wiring when something streams live events; null: nobody listens
  private volatile Conversation.StoredListener live;
  // inbound messages on their way into each conversation from this node (see receive)
  private final java.util.concurrent.ConcurrentHashMap<String, Integer> inbound =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile int maxInboundPerConversation = Integer.MAX_VALUE;

  private RouterCore(ActorSystem<?> system, Workspaces workspaces) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.workspaces = workspaces;
  }

  public static RouterCore init(ActorSystem<?> system, Workspaces workspaces) {
    RouterCore core = new RouterCore(system, workspaces);
    core.start();
    return core;
  }

  /** Where conversations hand persisted replies for sending (the outbound dispatcher). */
  public void onOutbound(java.util.function.Consumer<OutboundRequest> sender) {
    this.outbound = sender;
  }

  /**
   * Where conversations announce their events once durable (the live stream hub). Called on the
   * conversation's thread before it answers: the listener should only hand the events on.
   */
  public void onStored(Conversation.StoredListener listener) {
    this.live = listener;
  }

  public Workspaces workspaces() {
    return workspaces;
  }

  private void start() {
    var config = system.settings().config();
    Clock clock = Clock.systemUTC();
    Conversation.Settings conversationSettings = Conversation.Settings.fromConfig(config);
    Agent.Settings agentSettings = Agent.Settings.fromConfig(config);
    Duration stepTimeout = config.getDuration("omnirouter.team-router.step-timeout");
    boolean autoMerge = config.getBoolean("omnirouter.contacts.auto-merge");
    maxInboundPerConversation = config.getInt("omnirouter.conversation.max-inbound-in-flight");

    sharding.init(
        Entity.of(
                Conversation.ENTITY_KEY,
                ctx ->
                    Conversation.create(
                        ctx.getEntityId(),
                        conversationSettings,
                        this::defaultTeam,
                        conversationPorts(),
                        clock,
                        self -> ctx.getShard().tell(new ClusterSharding.Passivate<>(self))))
            .withStopMessage(Conversation.Passivate.INSTANCE)
            // conversations passivate themselves, except while snoozed (their timer must fire)
            .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));

    sharding.init(
        Entity.of(
            Agent.ENTITY_KEY,
            ctx ->
                Agent.create(
                    ctx.getEntityId(),
                    agentSettings,
                    agentPorts(EntityIds.workspace(ctx.getEntityId())),
                    clock)));

    sharding.init(
        Entity.of(
            TeamRouter.ENTITY_KEY,
            ctx -> {
              String ws = EntityIds.workspace(ctx.getEntityId());
              String team = EntityIds.local(ctx.getEntityId());
              return TeamRouter.create(
                  ctx.getEntityId(), teamSettings(ws, team, stepTimeout), teamPorts(ws), clock);
            }));

    sharding.init(
        Entity.of(
            Identity.ENTITY_KEY,
            ctx ->
                Identity.create(
                    ctx.getEntityId(),
                    autoMerge,
                    identityPorts(EntityIds.workspace(ctx.getEntityId())))));

    sharding.init(
        Entity.of(
            Contact.ENTITY_KEY,
            ctx ->
                Contact.create(
                    ctx.getEntityId(), contactPorts(EntityIds.workspace(ctx.getEntityId())))));
  }

  /** Applies the configured agent profiles (a no-op for unchanged ones). */
  public CompletionStage<List<Done>> configureAgents(Duration timeout) {
    List<CompletionStage<Done>> all =
        workspaces.byId().values().stream()
            .flatMap(
                ws ->
                    ws.agents().stream()
                        .map(
                            a ->
                                agent(ws.id(), a.id())
                                    .<Done>ask(
                                        r ->
                                            new Agent.Configure(
                                                new Agent.Profile(
                                                    a.name(),
                                                    a.teams(),
                                                    a.capacity(),
                                                    a.languages(),
                                                    List.of()),
                                                r),
                                        timeout)))
            .toList();
    CompletionStage<List<Done>> result =
        java.util.concurrent.CompletableFuture.completedFuture(new java.util.ArrayList<>());
    for (CompletionStage<Done> s : all) {
      result =
          result.thenCombine(
              s,
              (list, d) -> {
                list.add(d);
                return list;
              });
    }
    return result;
  }

  // ---- the edge ----

  /**
   * Resolves the sender's identity to a contact and stores the message in the contact's thread.
   * Completes once the message is durable (or known as a duplicate).
   */
  public CompletionStage<Conversation.Ack> receive(
      String workspace,
      InboundMessage message,
      List<String> hints,
      String displayName,
      Duration timeout) {
    String identity =
        IdentityKey.of(message.channel(), message.channelAccount(), message.senderId());
    return identity(workspace, identity)
        .<Identity.Resolved>ask(r -> new Identity.Resolve(hints, displayName, r), timeout)
        .thenCompose(
            resolved -> {
              var stored = store(workspace, resolved.contactId(), message, timeout);
              if (!resolved.created()) {
                return stored;
              }
              // a new contact is part of what the 200 acknowledges: a node dying right after the
              // identity was linked must not leave a conversation whose contact does not exist
              return stored.thenCombine(
                  contact(workspace, resolved.contactId())
                      .<Done>ask(r -> new Contact.AddIdentity(identity, displayName, r), timeout),
                  (ack, added) -> ack);
            });
  }

  /**
   * Thrown (as the stage's failure) when a conversation already has as many inbound messages on
   * their way in from this node as it may: its writes are serial, so more would only wait past the
   * timeout and be stored after their provider was told to retry. Answer 503; the retry is
   * deduplicated.
   */
  public static final class ConversationBusy extends RuntimeException {
    public ConversationBusy(String conversationId) {
      super("conversation " + conversationId + " is busy", null, false, false);
    }
  }

  private CompletionStage<Conversation.Ack> store(
      String workspace, String contactId, InboundMessage message, Duration timeout) {
    String key = EntityIds.of(workspace, contactId);
    if (inbound.merge(key, 1, Integer::sum) > maxInboundPerConversation) {
      leave(key);
      return java.util.concurrent.CompletableFuture.failedFuture(new ConversationBusy(key));
    }
    return conversation(workspace, contactId)
        .<Conversation.Ack>ask(r -> new Conversation.ReceiveMessage(message, r), timeout)
        .whenComplete((ack, error) -> leave(key));
  }

  private void leave(String key) {
    inbound.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
  }

  /**
   * Routes a provider's delivery status to the conversation of its recipient (statuses of messages
   * this router did not send are ignored there).
   */
  public CompletionStage<Done> recordDelivery(
      String workspace, Channel channel, String account, Inbound.Status status, Duration timeout) {
    return tellConversationOf(
        workspace,
        channel,
        account,
        status.recipient(),
        timeout,
        new Conversation.RecordDelivery(
            status.providerMessageId(), status.status(), status.error(), status.at()));
  }

  /** Routes a channel event (opt-out, subscribe…) to the conversation of its sender, if known. */
  public CompletionStage<Done> recordChannelEvent(
      String workspace, Channel channel, String account, Inbound.Event event, Duration timeout) {
    return tellConversationOf(
        workspace,
        channel,
        account,
        event.senderId(),
        timeout,
        new Conversation.RecordChannelEvent(channel, event.kind(), event.payload(), event.at()));
  }

  /** Tells {@code command} to the conversation of a known identity; an unknown one is ignored. */
  private CompletionStage<Done> tellConversationOf(
      String workspace,
      Channel channel,
      String account,
      String senderId,
      Duration timeout,
      Conversation.Command command) {
    if (senderId == null) {
      return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
    }
    return identity(workspace, IdentityKey.of(channel, account, senderId))
        .<Identity.LookupResult>ask(Identity.Lookup::new, timeout)
        .thenApply(
            found -> {
              if (found.contactId() != null) {
                conversation(workspace, found.contactId()).tell(command);
              }
              return Done.getInstance();
            });
  }

  public EntityRef<Conversation.Command> conversation(String workspace, String contactId) {
    return sharding.entityRefFor(Conversation.ENTITY_KEY, EntityIds.of(workspace, contactId));
  }

  public EntityRef<Conversation.Command> conversationById(String conversationId) {
    return sharding.entityRefFor(Conversation.ENTITY_KEY, conversationId);
  }

  public EntityRef<Agent.Command> agent(String workspace, String agentId) {
    return sharding.entityRefFor(Agent.ENTITY_KEY, EntityIds.of(workspace, agentId));
  }

  public EntityRef<TeamRouter.Command> team(String workspace, String team) {
    return sharding.entityRefFor(TeamRouter.ENTITY_KEY, EntityIds.of(workspace, team));
  }

  public EntityRef<Identity.Command> identity(String workspace, String identityKey) {
    return sharding.entityRefFor(Identity.ENTITY_KEY, EntityIds.of(workspace, identityKey));
  }

  public EntityRef<Contact.Command> contact(String workspace, String contactId) {
    return sharding.entityRefFor(Contact.ENTITY_KEY, EntityIds.of(workspace, contactId));
  }

  // ---- ports through sharding ----

  private String defaultTeam(String workspace, Channel channel, String account) {
    var ws = workspaces.byId().get(workspace);
    if (ws == null) {
      throw new IllegalStateException("unknown workspace " + workspace);
    }
    return ws.channels().stream()
        .filter(c -> c.channel() == channel && c.account().equals(account))
        .map(Workspaces.ChannelAccount::defaultTeam)
        .findFirst()
        .orElseGet(() -> ws.teams().get(0).id());
  }

  private TeamRouter.Settings teamSettings(String workspace, String team, Duration stepTimeout) {
    var ws = workspaces.byId().get(workspace);
    Strategy strategy =
        ws == null
            ? Strategy.LEAST_LOADED
            : ws.teams().stream()
                .filter(t -> t.id().equals(team))
                .map(t -> Strategy.fromKey(t.strategy()))
                .findFirst()
                .orElse(Strategy.LEAST_LOADED);
    List<String> members =
        ws == null
            ? List.of()
            : ws.agents().stream()
                .filter(a -> a.teams().contains(team))
                .map(Workspaces.AgentProfile::id)
                .toList();
    return new TeamRouter.Settings(strategy, members, stepTimeout);
  }

  private Conversation.Ports conversationPorts() {
    return new Conversation.Ports() {
      @Override
      public void enqueue(String team, QueuedConversation c) {
        team(EntityIds.workspace(c.conversationId()), team).tell(new TeamRouter.Enqueue(c));
      }

      @Override
      public void dequeue(String team, String conversationId, String reason) {
        team(EntityIds.workspace(conversationId), team)
            .tell(new TeamRouter.Dequeue(conversationId, reason));
      }

      @Override
      public void confirmAgent(String agentId, String conversationId) {
        agent(EntityIds.workspace(conversationId), agentId).tell(new Agent.Confirm(conversationId));
      }

      @Override
      public void releaseAgent(String agentId, String conversationId) {
        agent(EntityIds.workspace(conversationId), agentId).tell(new Agent.Release(conversationId));
      }

      @Override
      public void send(OutboundRequest request) {
        outbound.accept(request);
      }

      @Override
      public void stored(
          String conversationId,
          long firstSequenceNr,
          List<Conversation.Event> events,
          String assigneeBefore) {
        var listener = live;
        if (listener != null) {
          listener.stored(conversationId, firstSequenceNr, events, assigneeBefore);
        }
      }
    };
  }

  private Agent.Ports agentPorts(String workspace) {
    return new Agent.Ports() {
      @Override
      public void agentChanged(String team, AgentView view) {
        team(workspace, team).tell(new TeamRouter.AgentChanged(view));
      }

      @Override
      public void verifyAssignment(String conversationId, String agentId) {
        conversationById(conversationId).tell(new Conversation.VerifyAssignment(agentId));
      }

      @Override
      public void unassignForOffline(String conversationId, String agentId) {
        conversationById(conversationId)
            .tell(
                new Conversation.Unassign(
                    "agent " + agentId + " went offline", "system", agentId, null));
      }
    };
  }

  private TeamRouter.Ports teamPorts(String workspace) {
    return new TeamRouter.Ports() {
      @Override
      public void reserve(
          String agentId, String conversationId, ActorRef<Agent.ReserveReply> replyTo) {
        agent(workspace, agentId).tell(new Agent.Reserve(conversationId, replyTo));
      }

      @Override
      public void release(String agentId, String conversationId) {
        agent(workspace, agentId).tell(new Agent.Release(conversationId));
      }

      @Override
      public void requestReport(String agentId, ActorRef<AgentView> replyTo) {
        agent(workspace, agentId).tell(new Agent.Report(replyTo));
      }

      @Override
      public void offer(Assignment assignment, ActorRef<TeamRouter.OfferReply> replyTo) {
        conversationById(assignment.conversationId())
            .tell(new Conversation.Offer(assignment, replyTo));
      }

      @Override
      public void windowClosedWhileQueued(String conversationId, long episode, Instant closedAt) {
        conversationById(conversationId)
            .tell(new Conversation.WindowClosedWhileQueued(episode, closedAt));
      }
    };
  }

  private Identity.Ports identityPorts(String workspace) {
    return new Identity.Ports() {
      @Override
      public void lookup(String identityKey, ActorRef<Identity.LookupResult> replyTo) {
        identity(workspace, identityKey).tell(new Identity.Lookup(replyTo));
      }

      @Override
      public void linkIfUnlinked(String identityKey, String contactId) {
        identity(workspace, identityKey).tell(new Identity.LinkIfUnlinked(contactId));
      }

      @Override
      public void addToContact(
          String contactId, String identityKey, String displayName, ActorRef<Done> replyTo) {
        contact(workspace, contactId)
            .tell(new Contact.AddIdentity(identityKey, displayName, replyTo));
      }
    };
  }

  private Contact.Ports contactPorts(String workspace) {
    return new Contact.Ports() {
      @Override
      public void absorb(String survivorId, String mergedId, List<String> identities) {
        contact(workspace, survivorId).tell(new Contact.Absorb(mergedId, identities));
      }

      @Override
      public void repoint(String identityKey, String contactId) {
        identity(workspace, identityKey).tell(new Identity.Repoint(contactId));
      }
    };
  }
}

package io.omnirouter.core;

import io.omnirouter.core.agent.Agent;
import io.omnirouter.core.contact.Contact;
import io.omnirouter.core.contact.Identity;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.ingest.IngestEntry;
import io.omnirouter.core.ingest.IngestPartition;
import io.omnirouter.core.ingest.IngestStore;
import io.omnirouter.core.ingest.ResendingAppend;
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
  private volatile boolean startConversationEarly;
  // senders whose identity belongs to another contact (linked by a hint or an e-mail thread, or
  // merged): their own would-be conversation is not started early — it would start empty at each
  // of their messages. Learned from resolutions, bounded; a sender missing here costs one start.
  private final java.util.Map<String, Boolean> linkedElsewhere =
      java.util.Collections.synchronizedMap(Lru.map(10_000, true));
  // the ingest log (omnirouter.ingest.mode = log), or null: webhooks are stored straight in threads
  private final IngestStore ingestStore;
  private int ingestPartitions;
  private final java.util.Set<Integer> leftoverPartitions =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private Duration feedTimeout;
  private Duration resendAfter;
  private volatile IngestPartition.Observer ingestObserver = IngestPartition.Observer.NONE;
  private volatile AssignmentObserver assignmentObserver = (reserveNanos, acceptNanos) -> {};

  private RouterCore(ActorSystem<?> system, Workspaces workspaces, IngestStore ingestStore) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.workspaces = workspaces;
    this.ingestStore = ingestStore;
  }

  /** Without an ingest log: every webhook is acknowledged once its conversation stored it. */
  public static RouterCore init(ActorSystem<?> system, Workspaces workspaces) {
    return init(system, workspaces, null);
  }

  /**
   * With {@code omnirouter.ingest.mode = log} and a store, webhooks are acknowledged once their
   * events are in the ingest log, and fed from there to their conversations.
   */
  public static RouterCore init(
      ActorSystem<?> system, Workspaces workspaces, IngestStore ingestStore) {
    boolean log = "log".equals(system.settings().config().getString("omnirouter.ingest.mode"));
    RouterCore core = new RouterCore(system, workspaces, log ? ingestStore : null);
    core.start();
    return core;
  }

  /**
   * Where ingest partitions report how long entries waited before reaching their thread, and
   * entries they dead-lettered.
   */
  public void onIngestFed(IngestPartition.Observer observer) {
    this.ingestObserver = observer;
  }

  /** How long the two steps of each accepted assignment took (ADR 0004), in nanoseconds. */
  public interface AssignmentObserver {
    void assigned(long reserveNanos, long acceptNanos);
  }

  /** Where team routers on this node report the steps of each accepted assignment. */
  public void onAssigned(AssignmentObserver observer) {
    this.assignmentObserver = observer;
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
    Duration stepResendAfter = config.getDuration("omnirouter.team-router.step-resend-after");
    int assignmentsInFlight = config.getInt("omnirouter.team-router.max-assignments-in-flight");
    boolean autoMerge = config.getBoolean("omnirouter.contacts.auto-merge");
    maxInboundPerConversation = config.getInt("omnirouter.conversation.max-inbound-in-flight");
    startConversationEarly = config.getBoolean("omnirouter.ingest.start-conversation-early");

    // conversations, identities and contacts are on the path of every message: their shards move
    // to a node only once the members have been still a while (SettledRebalance)
    Duration rebalanceSettle = config.getDuration("omnirouter.sharding.rebalance-settle-time");
    java.util.function.Supplier<
            org.apache.pekko.cluster.sharding.ShardCoordinator.ShardAllocationStrategy>
        onTheMessagePath =
            () ->
                new io.omnirouter.core.sharding.SettledRebalance(
                    io.omnirouter.core.sharding.SettledRebalance.leastShard(config),
                    rebalanceSettle,
                    io.omnirouter.core.sharding.Members.of(
                        org.apache.pekko.cluster.Cluster.get(system)));

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
            .withAllocationStrategy(onTheMessagePath.get())
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
                      ctx.getEntityId(),
                      teamSettings(ws, team, stepTimeout, stepResendAfter, assignmentsInFlight),
                      teamPorts(ws),
                      clock);
                })
            .withStopMessage(TeamRouter.Stop.INSTANCE));

    sharding.init(
        Entity.of(
                Identity.ENTITY_KEY,
                ctx ->
                    Identity.create(
                        ctx.getEntityId(),
                        autoMerge,
                        identityPorts(EntityIds.workspace(ctx.getEntityId()))))
            .withAllocationStrategy(onTheMessagePath.get()));

    sharding.init(
        Entity.of(
                Contact.ENTITY_KEY,
                ctx ->
                    Contact.create(
                        ctx.getEntityId(), contactPorts(EntityIds.workspace(ctx.getEntityId()))))
            .withAllocationStrategy(onTheMessagePath.get()));

    if (ingestStore != null) {
      startIngest(config);
    }
  }

  private void startIngest(com.typesafe.config.Config config) {
    IngestPartition.Settings settings = IngestPartition.Settings.fromConfig(config);
    ingestPartitions = config.getInt("omnirouter.ingest.partitions");
    feedTimeout = config.getDuration("omnirouter.ingest.feed-timeout");
    resendAfter = config.getDuration("omnirouter.ingest.resend-after");
    IngestPartition.Observer observer =
        new IngestPartition.Observer() {
          @Override
          public void fed(long waitedMillis) {
            ingestObserver.fed(waitedMillis);
          }

          @Override
          public void deadLettered() {
            ingestObserver.deadLettered();
          }
        };
    IngestPartition.Throttle throttle =
        IngestPartition.Throttle.perSecond(config.getDouble("omnirouter.ingest.feed-rate"));
    sharding.init(
        Entity.of(
                IngestPartition.ENTITY_KEY,
                ctx ->
                    IngestPartition.create(
                        ctx.getEntityId(), settings, ingestStore, this::feed, observer, throttle))
            .withStopMessage(IngestPartition.Stop.INSTANCE)
            .withAllocationStrategy(
                new io.omnirouter.core.ingest.StayingAllocation(
                    config.getDuration("omnirouter.ingest.settle-time"),
                    io.omnirouter.core.sharding.Members.of(
                        org.apache.pekko.cluster.Cluster.get(system))))
            .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
    handOffIngestFirst(config.getDuration("omnirouter.ingest.hand-off-timeout"));
    // a partition runs where sharding puts it once something is sent to it: after a node is lost,
    // this brings its partitions up elsewhere (and their unfed rows to their threads) without
    // traffic
    Duration wake = config.getDuration("omnirouter.ingest.wake-interval");
    system
        .scheduler()
        .scheduleAtFixedRate(
            Duration.ZERO,
            wake,
            () -> {
              for (int i : partitionNumbers()) {
                ingestPartition(i).tell(IngestPartition.Wake.INSTANCE);
              }
            },
            system.executionContext());
    findLeftoverPartitions(wake);
  }

  /**
   * Partitions above {@code omnirouter.ingest.partitions} (the count was lowered): woken with the
   * others, so that what they acknowledged reaches its threads — each logs at its start what it has
   * to feed; one with nothing stays idle. Looked for once at start, again until the store answers.
   */
  private void findLeftoverPartitions(Duration retryAfter) {
    ingestStore
        .partitions()
        .whenComplete(
            (ids, error) -> {
              if (error != null) {
                system
                    .scheduler()
                    .scheduleOnce(
                        retryAfter,
                        () -> findLeftoverPartitions(retryAfter),
                        system.executionContext());
                return;
              }
              List<Integer> above =
                  ids.stream()
                      .map(RouterCore::partitionNumber)
                      .filter(i -> i >= ingestPartitions)
                      .sorted()
                      .toList();
              if (!above.isEmpty()) {
                system
                    .log()
                    .warn(
                        "Ingest partitions {} are above omnirouter.ingest.partitions = {}; woken"
                            + " to feed what they hold",
                        above,
                        ingestPartitions);
                leftoverPartitions.addAll(above);
              }
            });
  }

  /** The configured partitions, then those above them found at start. */
  private int[] partitionNumbers() {
    return java.util.stream.IntStream.concat(
            java.util.stream.IntStream.range(0, ingestPartitions),
            leftoverPartitions.stream().mapToInt(Integer::intValue))
        .toArray();
  }

  /** {@code p7} → 7; -1 for an id this router did not name. */
  private static int partitionNumber(String id) {
    try {
      return id.startsWith("p") ? Integer.parseInt(id.substring(1)) : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * On a graceful leave, moves this node's ingest partitions before any other shard: webhooks wait
   * on them (a provider allows seconds), and handed off together with hundreds of conversation
   * shards their new homes started seconds late (docs/RELIABILITY.md, rolling restart). Runs after
   * HTTP is unbound and its requests are done; the region stops once its partitions have moved.
   */
  private void handOffIngestFirst(Duration timeout) {
    org.apache.pekko.actor.CoordinatedShutdown.get(system)
        .addTask(
            org.apache.pekko.actor.CoordinatedShutdown.PhaseBeforeClusterShutdown(),
            "ingest-partitions-first",
            () -> {
              var cluster = org.apache.pekko.cluster.Cluster.get(system);
              var status = cluster.selfMember().status();
              if (cluster.isTerminated()
                  || (status != org.apache.pekko.cluster.MemberStatus.up()
                      && status != org.apache.pekko.cluster.MemberStatus.leaving())) {
                return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
              }
              var region =
                  org.apache.pekko.cluster.sharding.ClusterSharding.get(system.classicSystem())
                      .shardRegion(IngestPartition.ENTITY_KEY.name());
              long started = System.nanoTime();
              return org.apache.pekko.pattern.Patterns.gracefulStop(
                      region,
                      timeout,
                      org.apache.pekko.cluster.sharding.ShardRegion.gracefulShutdownInstance())
                  .handle(
                      (stopped, error) -> {
                        system
                            .log()
                            .info(
                                "Ingest partitions handed off first: {} in {} ms",
                                error == null ? "done" : "not finished (" + error + ")",
                                (System.nanoTime() - started) / 1_000_000);
                        return Done.getInstance();
                      });
            });
  }

  private EntityRef<IngestPartition.Command> ingestPartition(int i) {
    return sharding.entityRefFor(IngestPartition.ENTITY_KEY, "p" + i);
  }

  public boolean ingestLog() {
    return ingestStore != null;
  }

  /**
   * Applies the configured agent profiles (a no-op for unchanged ones), each asked again with
   * backoff until its agent answers: a node starting while shards move (a rolling update) or while
   * the journal is slow gets no answer from some agents — sharding drops messages it buffered for a
   * shard being handed off — and those profiles were applied only at the next start. Completes with
   * one {@code Done} per agent, or fails once an agent has not answered its first ask and {@code
   * retries} more.
   */
  public CompletionStage<List<Done>> configureAgents(Duration timeout) {
    return configureAgents(timeout, CONFIGURE_RETRIES, Duration.ofSeconds(1));
  }

  /** Asks per agent at start after the first: backoff 1 s, 2 s, … 30 s, about five minutes. */
  static final int CONFIGURE_RETRIES = 11;

  CompletionStage<List<Done>> configureAgents(Duration timeout, int retries, Duration minBackoff) {
    List<CompletionStage<Done>> all =
        workspaces.byId().values().stream()
            .flatMap(
                ws ->
                    ws.agents().stream()
                        .map(
                            a -> {
                              var profile =
                                  new Agent.Profile(
                                      a.name(), a.teams(), a.capacity(), a.languages(), List.of());
                              return org.apache.pekko.pattern.Patterns.retry(
                                  () ->
                                      agent(ws.id(), a.id())
                                          .<Done>ask(r -> new Agent.Configure(profile, r), timeout),
                                  retries,
                                  minBackoff,
                                  Duration.ofSeconds(30),
                                  0.2,
                                  system);
                            }))
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
    String ownContact = Identity.newContactId(workspace, identity);
    String sender = workspace + "\n" + identity;
    if (startConversationEarly && !linkedElsewhere.containsKey(sender)) {
      // its recovery overlaps the identity's (a new customer's entities start one after the other
      // otherwise); a running conversation only sees a Wake, which does nothing unless a snooze is
      // due
      wake(EntityIds.of(workspace, ownContact));
    }
    return identity(workspace, identity)
        .<Identity.Resolved>ask(r -> new Identity.Resolve(hints, displayName, r), timeout)
        .thenCompose(
            resolved -> {
              if (!resolved.contactId().equals(ownContact)) {
                linkedElsewhere.put(sender, Boolean.TRUE);
              }
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
   * Appends a webhook's events to the ingest log; completes once every one of them is durable there
   * (they reach their conversations right after, in order per customer). Fails with {@link
   * IngestBusy} when a partition holds too many entries not yet fed, or {@link IngestFailed}.
   */
  public CompletionStage<Done> ingest(
      String workspace, Channel channel, String account, List<Inbound> events, Duration timeout) {
    java.util.Map<Integer, List<IngestEntry>> byPartition = new java.util.LinkedHashMap<>();
    for (Inbound in : events) {
      IngestEntry entry = IngestEntry.of(workspace, channel, account, in);
      byPartition
          .computeIfAbsent(
              IngestPartition.partitionOf(entry.orderKey(), ingestPartitions),
              p -> new java.util.ArrayList<>())
          .add(entry);
    }
    java.util.concurrent.CompletableFuture<?>[] appended =
        byPartition.entrySet().stream()
            .map(
                e ->
                    ResendingAppend.append(
                            ingestPartition(e.getKey()),
                            List.copyOf(e.getValue()),
                            timeout,
                            resendAfter,
                            system)
                        .thenApply(
                            outcome ->
                                switch (outcome) {
                                  case APPENDED -> Done.getInstance();
                                    // still moving at the deadline: load, not a storage failure
                                  case BUSY, MOVING -> throw new IngestBusy(e.getKey());
                                  case FAILED -> throw new IngestFailed(e.getKey());
                                })
                        .toCompletableFuture())
            .toArray(java.util.concurrent.CompletableFuture[]::new);
    return java.util.concurrent.CompletableFuture.allOf(appended)
        .thenApply(x -> Done.getInstance());
  }

  /** Dead letters kept per partition, at most, in a listing. */
  private static final int DEAD_LETTERS_PER_PARTITION = 1000;

  /**
   * The workspace's dead-lettered ingest entries (entries their thread refused again and again),
   * over every partition; empty when the ingest log is off.
   */
  public CompletionStage<List<IngestStore.DeadLetter>> deadLetters(String workspace) {
    CompletionStage<List<IngestStore.DeadLetter>> all =
        java.util.concurrent.CompletableFuture.completedFuture(List.of());
    if (ingestStore == null) {
      return all;
    }
    for (int i : partitionNumbers()) {
      all =
          all.thenCombine(
              ingestStore.deadLetters("p" + i, DEAD_LETTERS_PER_PARTITION),
              (a, b) -> {
                var both = new java.util.ArrayList<>(a);
                b.stream().filter(d -> d.entry().workspace().equals(workspace)).forEach(both::add);
                return both;
              });
    }
    return all;
  }

  /**
   * Feeds a dead letter of the workspace again: appends its entry to the ingest log (it reaches its
   * thread after what its customer sent since) and then forgets it. Empty when the workspace has no
   * such dead letter; refused again, it is dead-lettered again.
   */
  public CompletionStage<java.util.Optional<IngestStore.DeadLetter>> refeed(
      String workspace, String partition, java.util.UUID id, Duration timeout) {
    if (ingestStore == null) {
      return java.util.concurrent.CompletableFuture.completedFuture(java.util.Optional.empty());
    }
    return ingestStore
        .deadLetters(partition, DEAD_LETTERS_PER_PARTITION)
        .thenCompose(
            letters -> {
              var found =
                  letters.stream()
                      .filter(d -> d.id().equals(id) && d.entry().workspace().equals(workspace))
                      .findFirst();
              if (found.isEmpty()) {
                return java.util.concurrent.CompletableFuture.completedFuture(found);
              }
              IngestEntry e = found.get().entry();
              Inbound in =
                  e.message() != null ? e.message() : e.status() != null ? e.status() : e.event();
              return ingest(workspace, e.channel(), e.account(), List.of(in), timeout)
                  .thenCompose(done -> ingestStore.forget(partition, id))
                  .thenApply(done -> found);
            });
  }

  /** Entries appended and not yet in their threads, summed over every partition. */
  public CompletionStage<IngestPartition.Backlog> ingestBacklog(Duration timeout) {
    CompletionStage<IngestPartition.Backlog> sum =
        java.util.concurrent.CompletableFuture.completedFuture(new IngestPartition.Backlog(0, 0));
    for (int i : partitionNumbers()) {
      sum =
          sum.thenCombine(
              ingestPartition(i).ask(IngestPartition.GetBacklog::new, timeout),
              (a, b) ->
                  new IngestPartition.Backlog(
                      a.entries() + b.entries(), Math.max(a.oldestMillis(), b.oldestMillis())));
    }
    return sum;
  }

  /** One logged entry into its thread (the ingest partitions' feeder). */
  private CompletionStage<Done> feed(IngestEntry entry) {
    if (entry.message() != null) {
      var m = entry.message();
      return receive(entry.workspace(), m.message(), m.hints(), m.displayName(), feedTimeout)
          .thenApply(ack -> Done.getInstance());
    }
    if (entry.status() != null) {
      return recordDelivery(
          entry.workspace(), entry.channel(), entry.account(), entry.status(), feedTimeout);
    }
    return recordChannelEvent(
        entry.workspace(), entry.channel(), entry.account(), entry.event(), feedTimeout);
  }

  /** An ingest partition holds as many entries not yet fed as it may: answer 503, retry later. */
  public static final class IngestBusy extends RuntimeException {
    public IngestBusy(int partition) {
      super("ingest partition " + partition + " is busy", null, false, false);
    }
  }

  /** An ingest partition could not write its row (Cassandra): answer 503, retry later. */
  public static final class IngestFailed extends RuntimeException {
    public IngestFailed(int partition) {
      super("ingest partition " + partition + " could not write", null, false, false);
    }
  }

  /**
   * Thrown (as the stage's failure) when a conversation already has as many inbound messages on
   * their way in from this node as it may: its writes are serial, so more would only wait past the
   * timeout and be stored after their provider was told to retry. Answer 503; the retry is
   * deduplicated.
   */
  public static final class ConversationBusy extends RuntimeException
      implements IngestPartition.Retryable {
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

  /**
   * Starts the conversation if its node left (a queued one then announces itself to its team
   * again); ends its snooze if that is due ({@link Conversation.Wake}).
   */
  public void wake(String conversationId) {
    conversationById(conversationId).tell(Conversation.Wake.INSTANCE);
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

  private TeamRouter.Settings teamSettings(
      String workspace,
      String team,
      Duration stepTimeout,
      Duration stepResendAfter,
      int maxInFlight) {
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
    return new TeamRouter.Settings(strategy, members, stepTimeout, stepResendAfter, maxInFlight);
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

      @Override
      public void queued(String conversationId, long episode) {
        // not while this node shuts down: a message to a shard already handed off waits in the
        // region and holds up its shutdown; the conversation announces itself again elsewhere
        if (org.apache.pekko.actor.CoordinatedShutdown.get(system).getShutdownReason().isEmpty()) {
          conversationById(conversationId).tell(new Conversation.QueueConfirmed(episode));
        }
      }

      @Override
      public void assigned(long reserveNanos, long acceptNanos) {
        assignmentObserver.assigned(reserveNanos, acceptNanos);
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

package io.omnirouter.server.live;

import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.readside.LiveEvent;
import io.omnirouter.core.readside.LiveEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * One per node: publishes the conversation events stored on this node to their workspace's
 * cluster-wide topic, receives every workspace's events from all nodes, hands them to this node's
 * stream connections, and keeps the last few minutes of them so a reconnecting client is served
 * even before the projection has written its stream table.
 */
public final class LiveHub extends AbstractBehavior<LiveHub.Command> {

  public sealed interface Command {}

  /** Events rendered elsewhere (window warnings). */
  public record Publish(List<LiveEvent> events) implements Command {}

  /**
   * From a conversation on this node, once its events are durable; rendered here, off the
   * conversation's thread (which answers the webhook after handing them over).
   */
  public record Stored(
      String conversationId,
      long firstSequenceNr,
      List<Conversation.Event> events,
      String assigneeBefore)
      implements Command {}

  /** The listener for {@code RouterCore.onStored}: hands the events to {@code hub}. */
  public static Conversation.StoredListener listener(ActorRef<Command> hub) {
    return (conversationId, firstSequenceNr, events, assigneeBefore) ->
        hub.tell(new Stored(conversationId, firstSequenceNr, events, assigneeBefore));
  }

  /**
   * A stream connection of this node wants {@code workspace}'s events: all of them ({@code agentId}
   * null, a supervisor) or those visible to one agent.
   */
  public record Subscribe(String workspace, String agentId, ActorRef<LiveEvent> client)
      implements Command {}

  /** The recent events of {@code workspace} with an id above {@code afterId}, in id order. */
  public record Recent(String workspace, String afterId, ActorRef<List<LiveEvent>> replyTo)
      implements Command {}

  private record Delivered(LiveEvent event) implements Command {}

  public record Settings(int recentEvents, Duration recentFor) {}

  public static Behavior<Command> create(Collection<String> workspaces, Settings settings) {
    return Behaviors.setup(ctx -> new LiveHub(ctx, workspaces, settings));
  }

  private final Settings settings;
  private final Map<String, ActorRef<Topic.Command<LiveEvent>>> topics = new HashMap<>();
  // per workspace: the connections that get every event, and per agent the connections of that
  // agent
  // (an event goes to the agents it names, not past a thousand agents' filters)
  private final Map<String, Set<ActorRef<LiveEvent>>> everything = new HashMap<>();
  private final Map<String, Map<String, Set<ActorRef<LiveEvent>>>> byAgent = new HashMap<>();
  private final Map<String, ArrayDeque<LiveEvent>> recent = new HashMap<>();

  private LiveHub(ActorContext<Command> ctx, Collection<String> workspaces, Settings settings) {
    super(ctx);
    this.settings = settings;
    ActorRef<LiveEvent> delivered = ctx.messageAdapter(LiveEvent.class, Delivered::new);
    for (String ws : workspaces) {
      var topic = ctx.spawn(Topic.create(LiveEvent.class, "live-" + ws), "topic-" + ws);
      topic.tell(Topic.subscribe(delivered));
      topics.put(ws, topic);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Publish.class, p -> publish(p.events()))
        .onMessage(
            Stored.class,
            s ->
                publish(
                    LiveEvents.of(
                        s.conversationId(), s.firstSequenceNr(), s.events(), s.assigneeBefore())))
        .onMessage(Delivered.class, this::onDelivered)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Recent.class, this::onRecent)
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<Command> publish(List<LiveEvent> events) {
    for (LiveEvent e : events) {
      var topic = topics.get(e.workspace());
      if (topic != null) {
        topic.tell(Topic.publish(e));
      }
    }
    return this;
  }

  private Behavior<Command> onDelivered(Delivered d) {
    LiveEvent e = d.event();
    var buffer = recent.computeIfAbsent(e.workspace(), ws -> new ArrayDeque<>());
    buffer.addLast(e);
    Instant oldest = Instant.now().minus(settings.recentFor());
    while (buffer.size() > settings.recentEvents()
        || (!buffer.isEmpty() && buffer.peekFirst().at().isBefore(oldest))) {
      buffer.removeFirst();
    }
    for (ActorRef<LiveEvent> client : everything.getOrDefault(e.workspace(), Set.of())) {
      client.tell(e);
    }
    var agents = byAgent.getOrDefault(e.workspace(), Map.of());
    for (String agent : e.agents()) {
      for (ActorRef<LiveEvent> client : agents.getOrDefault(agent, Set.of())) {
        client.tell(e);
      }
    }
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe s) {
    if (s.agentId() == null) {
      everything.computeIfAbsent(s.workspace(), ws -> new HashSet<>()).add(s.client());
    } else {
      byAgent
          .computeIfAbsent(s.workspace(), ws -> new HashMap<>())
          .computeIfAbsent(s.agentId(), a -> new HashSet<>())
          .add(s.client());
    }
    getContext().watch(s.client());
    return this;
  }

  private Behavior<Command> onRecent(Recent r) {
    List<LiveEvent> out = new ArrayList<>();
    for (LiveEvent e : recent.getOrDefault(r.workspace(), new ArrayDeque<>())) {
      if (e.id().compareTo(r.afterId()) > 0) {
        out.add(e);
      }
    }
    out.sort(java.util.Comparator.comparing(LiveEvent::id));
    r.replyTo().tell(out);
    return this;
  }

  private Behavior<Command> onTerminated(Terminated t) {
    everything.values().forEach(set -> set.remove(t.getRef()));
    byAgent
        .values()
        .forEach(
            agents -> {
              agents.values().forEach(set -> set.remove(t.getRef()));
              agents.values().removeIf(Set::isEmpty);
            });
    return this;
  }
}

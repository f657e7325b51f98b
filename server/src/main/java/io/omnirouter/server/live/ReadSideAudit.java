package io.omnirouter.server.live;

import io.omnirouter.core.readside.LiveEvent;
import io.omnirouter.core.readside.LiveEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * One per node: after another node is removed from the cluster, waits {@code after} and then checks
 * that the read side has every conversation event that was stored up to the removal, as far as this
 * node's live hub saw them (every node's hub receives every workspace's events, with their sequence
 * numbers, for the last few minutes). Conversations the read side shows behind are repaired from
 * the journal ({@code ReadSideRepair}). Conversations whose last status the hub saw was "queued",
 * and those with a reply the hub saw queued but never sent or failed, are then woken: a
 * conversation starts by announcing itself to its team router again, and the router that had its
 * unwritten announcement may have been on the removed node (invariant 5); it sends its replies not
 * yet confirmed sent again (same message id), and the dispatcher sending them may have been there.
 *
 * <p>Why: a node killed moments after persisting loses the events' buffered tag rows; the read side
 * repairs such a gap when the conversation's next event comes, but a conversation whose last event
 * was lost would stay behind until it changed again (docs/RELIABILITY.md, node-kill drill). Only
 * the oldest node up runs it, so one audit per removal; the events it checks are those stored
 * before the removal, which the projections have had {@code after} to show.
 */
public final class ReadSideAudit {
  private ReadSideAudit() {}

  public sealed interface Command {}

  /** A node was removed at {@code at}; {@code oldest}: this node is then the oldest one up. */
  public record NodeRemoved(Instant at, boolean oldest) implements Command {}

  private record Run(Instant removedAt) implements Command {}

  private record Checked(int conversations, int projected, int woken, Throwable error)
      implements Command {}

  /** The audit, told of every node removed from the cluster. */
  public static Behavior<Command> create(
      Collection<String> workspaces,
      ActorRef<LiveHub.Command> hub,
      Function<Map<String, Long>, CompletionStage<Integer>> repair,
      java.util.function.Consumer<String> wake,
      Duration after,
      Duration askTimeout) {
    return Behaviors.setup(
        ctx -> {
          Cluster cluster = Cluster.get(ctx.getSystem());
          ActorRef<ClusterEvent.MemberRemoved> removed =
              ctx.messageAdapter(
                  ClusterEvent.MemberRemoved.class,
                  e -> new NodeRemoved(Instant.now(), oldestUp(cluster, e.member())));
          cluster.subscriptions().tell(Subscribe.create(removed, ClusterEvent.MemberRemoved.class));
          return behavior(workspaces, hub, repair, wake, after, askTimeout);
        });
  }

  private static boolean oldestUp(Cluster cluster, org.apache.pekko.cluster.Member removed) {
    return java.util.stream.StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up() && !m.equals(removed))
        .noneMatch(m -> m.isOlderThan(cluster.selfMember()));
  }

  /** The audit without the cluster subscription (tests tell it {@link NodeRemoved}). */
  static Behavior<Command> behavior(
      Collection<String> workspaces,
      ActorRef<LiveHub.Command> hub,
      Function<Map<String, Long>, CompletionStage<Integer>> repair,
      java.util.function.Consumer<String> wake,
      Duration after,
      Duration askTimeout) {
    List<String> all = List.copyOf(workspaces);
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    Behaviors.receive(Command.class)
                        .onMessage(
                            NodeRemoved.class,
                            r -> {
                              if (r.oldest()) {
                                timers.startSingleTimer(new Run(r.at()), after);
                              }
                              return Behaviors.same();
                            })
                        .onMessage(
                            Run.class,
                            r -> {
                              ctx.pipeToSelf(
                                  recent(ctx, all, hub, askTimeout)
                                      .thenCompose(
                                          events -> {
                                            var reached = reachedBefore(events, r.removedAt());
                                            return repair
                                                .apply(reached)
                                                .thenApply(
                                                    n -> {
                                                      var woken =
                                                          new java.util.TreeSet<>(
                                                              stillQueued(events, r.removedAt()));
                                                      woken.addAll(
                                                          stillSending(events, r.removedAt()));
                                                      woken.forEach(wake);
                                                      return new Checked(
                                                          reached.size(), n, woken.size(), null);
                                                    });
                                          }),
                                  (checked, error) ->
                                      error == null ? checked : new Checked(0, 0, 0, error));
                              return Behaviors.same();
                            })
                        .onMessage(
                            Checked.class,
                            c -> {
                              if (c.error() != null) {
                                ctx.getLog().warn("Read-side audit failed", c.error());
                              } else {
                                ctx.getLog()
                                    .info(
                                        "Read-side audit after a node left: {} conversations"
                                            + " checked, {} projected from the journal (behind, or no contact row yet),"
                                            + " {} woken (queued: announce themselves again; a reply not confirmed sent:"
                                            + " send it again)",
                                        c.conversations(),
                                        c.projected(),
                                        c.woken());
                              }
                              return Behaviors.same();
                            })
                        .build()));
  }

  /** Every workspace's recent events as this node's hub has them. */
  private static CompletionStage<List<LiveEvent>> recent(
      ActorContext<Command> ctx,
      List<String> workspaces,
      ActorRef<LiveHub.Command> hub,
      Duration askTimeout) {
    List<CompletableFuture<List<LiveEvent>>> asks = new ArrayList<>();
    for (String ws : workspaces) {
      asks.add(
          AskPattern.<LiveHub.Command, List<LiveEvent>>ask(
                  hub,
                  replyTo -> new LiveHub.Recent(ws, "", replyTo),
                  askTimeout,
                  ctx.getSystem().scheduler())
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              List<LiveEvent> events = new ArrayList<>();
              asks.forEach(a -> events.addAll(a.getNow(List.of())));
              return events;
            });
  }

  /**
   * A router writes an announcement within a second of getting it, and a crashed node is removed
   * within about 30 s (failure detection, the split-brain resolver's stable-after, the removal):
   * announcements older than this were written, or their node was not the one that left.
   */
  static final Duration AT_RISK = Duration.ofSeconds(60);

  /**
   * Conversations whose latest status event the hub has is "queued" (a message, a note, a tag after
   * it change nothing: still queued), queued in the {@link #AT_RISK} before the removal. Woken,
   * each announces itself to its team router again, which is a no-op for a router that has it.
   */
  static java.util.Set<String> stillQueued(List<LiveEvent> events, Instant removedAt) {
    Instant from = removedAt.minus(AT_RISK);
    Map<String, LiveEvent> lastStatus = new HashMap<>();
    for (LiveEvent e : events) {
      if (LiveEvents.STATUS_CHANGES.contains(e.type())) {
        lastStatus.merge(e.conversationId(), e, (a, b) -> a.sequenceNr() >= b.sequenceNr() ? a : b);
      }
    }
    java.util.Set<String> queued = new java.util.TreeSet<>();
    lastStatus.forEach(
        (id, e) -> {
          if ("conversation.queued".equals(e.type())
              && !e.at().isBefore(from)
              && !e.at().isAfter(removedAt)) {
            queued.add(id);
          }
        });
    return queued;
  }

  /**
   * Conversations with a reply queued before the removal ({@code message.sent}, state "queued") and
   * no later state for it in the hub ({@code message.state}: sent, failed, delivered…). Waking one
   * whose node is still up changes nothing; one whose node left starts and sends it again.
   */
  static java.util.Set<String> stillSending(List<LiveEvent> events, Instant removedAt) {
    Map<String, String> conversationOf = new HashMap<>(); // reply message id -> conversation
    java.util.Set<String> settled = new java.util.HashSet<>();
    for (LiveEvent e : events) {
      boolean stateChange = "message.state".equals(e.type());
      boolean queuedBefore = "message.sent".equals(e.type()) && !e.at().isAfter(removedAt);
      if (!stateChange && !queuedBefore) {
        continue;
      }
      var data = readData(e);
      String messageId = data.path("messageId").asText("");
      if (messageId.isEmpty()) {
        continue;
      }
      if (stateChange) {
        settled.add(messageId);
      } else if ("queued".equals(data.path("state").asText())) {
        conversationOf.put(messageId, e.conversationId());
      }
    }
    java.util.Set<String> sending = new java.util.TreeSet<>();
    conversationOf.forEach(
        (messageId, conversation) -> {
          if (!settled.contains(messageId)) {
            sending.add(conversation);
          }
        });
    return sending;
  }

  private static com.fasterxml.jackson.databind.JsonNode readData(LiveEvent e) {
    try {
      return io.omnirouter.connectors.support.Json.MAPPER.readTree(e.data());
    } catch (java.io.IOException bad) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
  }

  /**
   * Per conversation, the highest sequence number among its journal events stored before {@code
   * at}, or 0 for a conversation whose events all came later: its events are not at risk, but its
   * contact may have been made on the lost node (the drill: a contact created just before the kill,
   * its conversation's first message stored on a survivor after the removal), and the repair checks
   * every conversation's contact. Window warnings are not journal events.
   */
  static Map<String, Long> reachedBefore(List<LiveEvent> events, Instant at) {
    Map<String, Long> reached = new HashMap<>();
    for (LiveEvent e : events) {
      if (!"window.closing".equals(e.type())) {
        reached.merge(e.conversationId(), e.at().isAfter(at) ? 0L : e.sequenceNr(), Math::max);
      }
    }
    return reached;
  }
}

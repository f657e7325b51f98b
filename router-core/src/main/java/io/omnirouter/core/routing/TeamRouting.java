package io.omnirouter.core.routing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A team's live agent table and queue, and the assignment rule: whenever something changes, every
 * queued conversation that some eligible agent can take is assigned at once — up to {@code
 * maxInFlight} assignments handed out and not yet settled; each one settled or undone lets the next
 * go. No clock and no I/O — callers pass {@code now} — so it is tested on its own. Not thread-safe:
 * one actor owns it.
 */
public final class TeamRouting {
  private final String team;
  private final Strategy strategy;
  private final int maxInFlight;
  private final Map<String, AgentView> agents = new HashMap<>();
  private final TreeSet<QueuedConversation> queue = new TreeSet<>(QueuedConversation.QUEUE_ORDER);
  private final Map<String, QueuedConversation> queuedById = new HashMap<>();
  // assigned by drain() but not yet settled: rollback() puts them back in the queue
  private final Map<String, QueuedConversation> handedOut = new HashMap<>();
  private String lastPicked;

  /**
   * {@code maxInFlight}: at most this many assignments handed out and not yet settled or undone. A
   * queue of thousands handed out at once, when a team's agents log in to it, had its slowest steps
   * time out and be retried: up to half of them done twice (docs/BENCHMARKS.md).
   */
  public TeamRouting(String team, Strategy strategy, int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
    }
    this.team = team;
    this.strategy = strategy;
    this.maxInFlight = maxInFlight;
  }

  public Strategy strategy() {
    return strategy;
  }

  /** Adds or replaces a queued conversation (a newer episode replaces an older one). */
  public List<Assignment> enqueue(QueuedConversation c, Instant now) {
    QueuedConversation old = queuedById.get(c.conversationId());
    if (old != null && old.episode() > c.episode()) {
      return List.of();
    }
    remove(c.conversationId());
    queue.add(c);
    queuedById.put(c.conversationId(), c);
    return drain(now);
  }

  /** The conversation left the queue another way (resolved, transferred, claimed). */
  public Optional<QueuedConversation> remove(String conversationId) {
    handedOut.remove(conversationId);
    return dropQueued(conversationId);
  }

  private Optional<QueuedConversation> dropQueued(String conversationId) {
    QueuedConversation old = queuedById.remove(conversationId);
    if (old != null) {
      queue.remove(old);
    }
    return Optional.ofNullable(old);
  }

  /** A fresh view of an agent (presence, capacity, load changed). */
  public List<Assignment> agentUpdated(AgentView view, Instant now) {
    agents.put(view.agentId(), view);
    return drain(now);
  }

  public void agentRemoved(String agentId) {
    agents.remove(agentId);
  }

  /**
   * Assigns every queued conversation an eligible agent can take, in queue order, while fewer than
   * {@code maxInFlight} are handed out.
   */
  public List<Assignment> drain(Instant now) {
    // nobody free (a night with the team offline, everyone at capacity) or the cap reached: the
    // queue is not looked at, so a long queue costs nothing per enqueue
    if (strategy == Strategy.MANUAL
        || queue.isEmpty()
        || handedOut.size() >= maxInFlight
        || agents.values().stream().noneMatch(AgentView::hasFreeCapacity)) {
      return List.of();
    }
    List<Assignment> out = new ArrayList<>();
    for (QueuedConversation c : new ArrayList<>(queue)) {
      if (handedOut.size() >= maxInFlight) {
        break;
      }
      List<AgentView> eligible =
          agents.values().stream()
              .filter(a -> a.canTake(c))
              .sorted(java.util.Comparator.comparing(AgentView::agentId))
              .toList();
      if (eligible.isEmpty()) {
        if (agents.values().stream().noneMatch(AgentView::hasFreeCapacity)) {
          break; // nobody can take anything: the rest of the queue waits too
        }
        continue; // someone is free but not eligible for this one (language, skills)
      }
      Optional<Strategy.Choice> choice = strategy.choose(c, eligible, lastPicked);
      if (choice.isEmpty()) {
        continue;
      }
      String agentId = choice.get().agentId();
      // the chosen agent first, then the least-loaded others
      var candidates =
          java.util.stream.Stream.concat(
                  eligible.stream().filter(a -> a.agentId().equals(agentId)),
                  eligible.stream()
                      .filter(a -> !a.agentId().equals(agentId))
                      .sorted(java.util.Comparator.comparingInt(AgentView::load)))
              .limit(Assignment.Reason.MAX_CANDIDATES)
              .map(a -> new Assignment.Candidate(a.agentId(), a.load(), a.capacity()))
              .toList();
      boolean freeFormOpen = c.windowClosesAt() == null || !now.isAfter(c.windowClosesAt());
      out.add(
          new Assignment(
              c.conversationId(),
              c.episode(),
              agentId,
              team,
              new Assignment.Reason(
                  strategy.key(), candidates, choice.get().rule(), eligible.size()),
              freeFormOpen,
              now));
      AgentView chosen = agents.get(agentId);
      agents.put(agentId, chosen.withLoad(chosen.load() + 1, now));
      lastPicked = agentId;
      dropQueued(c.conversationId());
      handedOut.put(c.conversationId(), c);
    }
    return out;
  }

  /**
   * The assignment was accepted: it no longer needs to be undoable, and its place in flight goes to
   * the next queued conversation (returned).
   */
  public List<Assignment> settle(String conversationId, Instant now) {
    handedOut.remove(conversationId);
    return drain(now);
  }

  /** Assignments handed out and not yet settled or undone. */
  public int inFlight() {
    return handedOut.size();
  }

  /** Undoes an assignment the agent refused or that timed out: back in the queue, load restored. */
  public void rollback(Assignment a) {
    AgentView view = agents.get(a.agentId());
    if (view != null && view.load() > 0) {
      agents.put(a.agentId(), view.withLoad(view.load() - 1, view.lastAssignedAt()));
    }
    QueuedConversation c = handedOut.remove(a.conversationId());
    if (c != null && c.episode() == a.episode() && !queuedById.containsKey(c.conversationId())) {
      queue.add(c);
      queuedById.put(c.conversationId(), c);
    }
  }

  public Collection<AgentView> agents() {
    return agents.values();
  }

  public Optional<AgentView> agent(String agentId) {
    return Optional.ofNullable(agents.get(agentId));
  }

  /** Queue in order. */
  public List<QueuedConversation> queue() {
    return List.copyOf(queue);
  }

  /** The first {@code limit} of the queue, in order. */
  public List<QueuedConversation> queue(int limit) {
    return queue.stream().limit(limit).toList();
  }

  public int length() {
    return queue.size();
  }

  /** The longest waiting (the queue is ordered by priority first). */
  public Optional<Instant> oldestQueuedAt() {
    return queue.stream().map(QueuedConversation::queuedAt).min(Instant::compareTo);
  }

  public Optional<QueuedConversation> queued(String conversationId) {
    return Optional.ofNullable(queuedById.get(conversationId));
  }

  /** The earliest free-form window closing among queued conversations, if any. */
  public Optional<Instant> nextWindowClose(Instant after) {
    return queue.stream()
        .map(QueuedConversation::windowClosesAt)
        .filter(t -> t != null && t.isAfter(after))
        .min(Instant::compareTo);
  }
}

package io.omnirouter.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Randomized steps against {@link TeamRouting} — agents going on/offline, capacity changes,
 * arrivals, resolves, transfers, assignments accepted or timing out — checking the routing
 * invariants after every step. Each try runs 2,000 steps from one seed (jqwik prints it on failure;
 * rerun with {@code @Property(seed=…)}).
 */
class TeamRoutingPropertiesTest {
  static final int STEPS = 2_000;
  static final List<String> LANGS = List.of("en", "de", "zh");

  @Property(tries = 8)
  void leastLoadedKeepsTheInvariants(@ForAll long seed) {
    new World(Strategy.LEAST_LOADED, seed).run();
  }

  @Property(tries = 6)
  void roundRobinKeepsTheInvariants(@ForAll long seed) {
    new World(Strategy.ROUND_ROBIN, seed).run();
  }

  @Property(tries = 6)
  void stickyKeepsTheInvariants(
      @ForAll long seed, @ForAll @IntRange(min = 3, max = 12) int agents) {
    World w = new World(Strategy.STICKY, seed);
    w.agentCount = agents;
    w.run();
  }

  @Property(tries = 6)
  void aCapOnAssignmentsInFlightKeepsTheInvariants(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int maxInFlight) {
    new World(Strategy.LEAST_LOADED, seed, maxInFlight).run();
  }

  /** The truth the router must agree with, kept independently of it. */
  static final class World {
    final Strategy strategy;
    final long seed;
    final Random rnd;
    final TeamRouting routing;
    int agentCount = 8;
    Instant now = Instant.parse("2026-11-22T09:00:00Z");
    final Map<String, AgentView> agents = new TreeMap<>();
    final Map<String, String> assignee = new HashMap<>(); // conversation -> agent
    final Map<String, Set<String>> held = new HashMap<>(); // agent -> conversations
    final Map<String, QueuedConversation> queued = new HashMap<>(); // truth of the queue
    final Map<String, Long> episodes = new HashMap<>();
    final Map<String, String> previous = new HashMap<>();
    // assigned, not yet accepted (or undone): conversation -> its assignment and queue entry
    final Map<String, Assignment> pending = new HashMap<>();
    final Map<String, QueuedConversation> pendingEntries = new HashMap<>();
    final int maxInFlight;
    int nextConversation;
    int step;

    World(Strategy strategy, long seed) {
      this(strategy, seed, Integer.MAX_VALUE);
    }

    World(Strategy strategy, long seed, int maxInFlight) {
      this.strategy = strategy;
      this.seed = seed;
      this.rnd = new Random(seed);
      this.maxInFlight = maxInFlight;
      this.routing = new TeamRouting("support", strategy, maxInFlight);
    }

    void run() {
      for (int i = 0; i < agentCount; i++) {
        String id = "agent-" + i;
        held.put(id, new HashSet<>());
        Set<String> langs = rnd.nextInt(4) == 0 ? Set.of() : Set.of(LANGS.get(rnd.nextInt(3)));
        agents.put(
            id, new AgentView(id, Presence.OFFLINE, 1 + rnd.nextInt(4), 0, langs, Set.of(), null));
        apply(routing.agentUpdated(agents.get(id), now));
      }
      for (step = 0; step < STEPS; step++) {
        now = now.plus(Duration.ofSeconds(1 + rnd.nextInt(90)));
        switch (rnd.nextInt(13)) {
          case 0, 1 -> presence();
          case 2 -> capacity();
          case 3, 4, 5 -> arrive();
          case 6, 7 -> resolve();
          case 8 -> transfer();
          case 9 -> abandonQueued();
          default -> answer();
        }
        check();
      }
    }

    void presence() {
      AgentView a = randomAgent();
      Presence p = Presence.values()[rnd.nextInt(3)];
      update(
          new AgentView(
              a.agentId(),
              p,
              a.capacity(),
              a.load(),
              a.languages(),
              a.skills(),
              a.lastAssignedAt()));
    }

    void capacity() {
      AgentView a = randomAgent();
      update(
          new AgentView(
              a.agentId(),
              a.presence(),
              rnd.nextInt(6),
              a.load(),
              a.languages(),
              a.skills(),
              a.lastAssignedAt()));
    }

    void arrive() {
      String id = "c" + nextConversation++;
      episodes.put(id, 1L);
      enqueue(id);
    }

    void enqueue(String id) {
      String lang = rnd.nextInt(3) == 0 ? null : LANGS.get(rnd.nextInt(3));
      Instant window =
          rnd.nextBoolean() ? null : now.plus(Duration.ofMinutes(rnd.nextInt(24 * 60)));
      var q =
          new QueuedConversation(
              id,
              episodes.get(id),
              rnd.nextInt(3),
              window,
              now,
              lang,
              Set.of(),
              previous.get(id),
              null);
      queued.put(id, q);
      apply(routing.enqueue(q, now));
    }

    void resolve() {
      List<String> settled = settled();
      if (settled.isEmpty()) {
        return;
      }
      release(pick(settled));
    }

    void transfer() {
      List<String> settled = settled();
      if (settled.isEmpty()) {
        return;
      }
      String conv = pick(settled);
      release(conv);
      episodes.merge(conv, 1L, Long::sum);
      enqueue(conv);
    }

    List<String> settled() {
      return new ArrayList<>(
          assignee.keySet().stream().filter(c -> !pending.containsKey(c)).toList());
    }

    /** The conversation accepts a pending assignment, or (one in five) its step times out. */
    void answer() {
      if (pending.isEmpty()) {
        return;
      }
      String conv = pick(new ArrayList<>(pending.keySet()));
      Assignment a = pending.remove(conv);
      QueuedConversation entry = pendingEntries.remove(conv);
      if (rnd.nextInt(5) > 0) {
        apply(routing.settle(conv, now));
        return;
      }
      routing.rollback(a);
      assignee.remove(conv);
      held.get(a.agentId()).remove(conv);
      queued.put(conv, entry);
      AgentView v = agents.get(a.agentId());
      agents.put(
          a.agentId(),
          new AgentView(
              v.agentId(),
              v.presence(),
              v.capacity(),
              held.get(a.agentId()).size(),
              v.languages(),
              v.skills(),
              v.lastAssignedAt()));
      apply(routing.drain(now));
    }

    void abandonQueued() {
      if (queued.isEmpty()) {
        return;
      }
      String conv = pick(new ArrayList<>(queued.keySet()));
      queued.remove(conv);
      assertTrue(
          routing.remove(conv).isPresent(),
          ctx("queued conversation unknown to the router: " + conv));
    }

    void release(String conv) {
      String agent = assignee.remove(conv);
      held.get(agent).remove(conv);
      previous.put(conv, agent);
      AgentView a = agents.get(agent);
      update(
          new AgentView(
              agent,
              a.presence(),
              a.capacity(),
              held.get(agent).size(),
              a.languages(),
              a.skills(),
              a.lastAssignedAt()));
    }

    void update(AgentView view) {
      agents.put(view.agentId(), view);
      apply(routing.agentUpdated(view, now));
    }

    void apply(List<Assignment> assignments) {
      for (Assignment a : assignments) {
        String conv = a.conversationId();
        assertFalse(assignee.containsKey(conv), ctx("second assignee for " + conv));
        QueuedConversation q = queued.remove(conv);
        assertTrue(q != null, ctx("assigned a conversation that was not queued: " + conv));
        assertEquals(episodes.get(conv), a.episode(), ctx("stale episode"));
        AgentView agent = agents.get(a.agentId());
        assertTrue(
            agent.canTake(q), ctx(a.agentId() + " was not eligible for " + conv + ": " + agent));
        assertEquals(
            q.windowClosesAt() == null || !now.isAfter(q.windowClosesAt()),
            a.freeFormOpen(),
            ctx("window flag"));

        // the reason counts the eligible agents and lists the chosen one and the least-loaded
        // others (all of them when there are few)
        Set<String> eligible = new HashSet<>();
        agents.values().stream().filter(v -> v.canTake(q)).forEach(v -> eligible.add(v.agentId()));
        Set<String> listed = new HashSet<>();
        a.reason().candidates().forEach(c -> listed.add(c.agentId()));
        assertEquals(eligible.size(), a.reason().eligible(), ctx("eligible count"));
        assertEquals(a.agentId(), a.reason().candidates().get(0).agentId(), ctx("chosen first"));
        assertTrue(eligible.containsAll(listed), ctx("only eligible agents listed"));
        if (eligible.size() <= Assignment.Reason.MAX_CANDIDATES) {
          assertEquals(eligible, listed, ctx("candidates"));
        } else {
          assertEquals(Assignment.Reason.MAX_CANDIDATES, listed.size(), ctx("candidates capped"));
          int maxListedOther =
              a.reason().candidates().stream()
                  .skip(1)
                  .mapToInt(Assignment.Candidate::load)
                  .max()
                  .orElse(0);
          eligible.stream()
              .filter(id -> !listed.contains(id))
              .forEach(
                  id ->
                      assertTrue(
                          agents.get(id).load() >= maxListedOther,
                          ctx("a less loaded agent left out: " + id)));
        }
        if (strategy == Strategy.LEAST_LOADED) {
          int min =
              agents.values().stream()
                  .filter(v -> v.canTake(q))
                  .mapToInt(AgentView::load)
                  .min()
                  .orElseThrow();
          assertEquals(min, agent.load(), ctx("least-loaded picked a busier agent"));
        }
        if (strategy == Strategy.STICKY
            && q.previousAgent() != null
            && eligible.contains(q.previousAgent())) {
          assertEquals(q.previousAgent(), a.agentId(), ctx("sticky ignored the previous agent"));
        }

        assignee.put(conv, a.agentId());
        pending.put(conv, a);
        pendingEntries.put(conv, q);
        held.get(a.agentId()).add(conv);
        agents.put(
            a.agentId(),
            new AgentView(
                agent.agentId(),
                agent.presence(),
                agent.capacity(),
                held.get(a.agentId()).size(),
                agent.languages(),
                agent.skills(),
                now));
        assertTrue(
            held.get(a.agentId()).size() <= agent.capacity(), ctx(a.agentId() + " over capacity"));
      }
    }

    void check() {
      // nothing queued is lost, nothing is queued twice
      Set<String> routerQueue = new HashSet<>();
      routing
          .queue()
          .forEach(q -> assertTrue(routerQueue.add(q.conversationId()), ctx("queued twice")));
      assertEquals(queued.keySet(), routerQueue, ctx("queue differs from the truth"));
      // no more in flight than the cap; below it, nobody waits while an eligible agent has room
      assertEquals(pending.size(), routing.inFlight(), ctx("assignments in flight"));
      assertTrue(pending.size() <= maxInFlight, ctx("more in flight than the cap"));
      for (QueuedConversation q :
          pending.size() < maxInFlight ? queued.values() : List.<QueuedConversation>of()) {
        for (AgentView a : agents.values()) {
          assertFalse(
              a.canTake(q),
              ctx(q.conversationId() + " waits while " + a.agentId() + " could take it"));
        }
      }
      // the router's loads agree with what agents actually hold
      for (AgentView a : routing.agents()) {
        assertEquals(held.get(a.agentId()).size(), a.load(), ctx("load of " + a.agentId()));
      }
      for (String conv : assignee.keySet()) {
        assertFalse(queued.containsKey(conv), ctx(conv + " both assigned and queued"));
      }
    }

    AgentView randomAgent() {
      return pick(new ArrayList<>(agents.values()));
    }

    <T> T pick(List<T> list) {
      if (list.get(0) instanceof String) {
        list.sort(null);
      }
      return list.get(rnd.nextInt(list.size()));
    }

    String ctx(String what) {
      return what + " [strategy " + strategy + ", seed " + seed + ", step " + step + "]";
    }
  }
}

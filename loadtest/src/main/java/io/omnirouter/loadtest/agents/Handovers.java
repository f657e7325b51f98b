package io.omnirouter.loadtest.agents;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.LongStream;

/**
 * When an agent first has each message that arrived while its conversation had no agent. The
 * supervisor's stream tells that a message arrived unassigned; an agent's stream tells the
 * assignment that hands the conversation over — two connections, so either may be heard first. The
 * conversation's journal numbers ({@code sequenceNr} on both events) order them: an assignment
 * numbered after the message hands it over, whichever stream spoke first. (Matching them by arrival
 * instead left a message heard after its assignment waiting, and the conversation's next hand-over,
 * minutes later, was timed from it: docs/BENCHMARKS.md, fourteenth session.)
 */
final class Handovers {

  private record Waiting(long sequenceNr, long dueNanos) {}

  private record Assignment(long sequenceNr, long seenNanos) {}

  private final Map<String, List<Waiting>> waiting = new HashMap<>();
  private final Map<String, Assignment> lastAssignment = new HashMap<>();

  /**
   * A message numbered {@code sequenceNr} that arrived unassigned, due (sent) at {@code dueNanos}:
   * its webhook → agent time if an agent already has it, else empty (it waits for its assignment).
   */
  synchronized OptionalLong unassignedMessage(String conversation, long sequenceNr, long dueNanos) {
    Assignment a = lastAssignment.get(conversation);
    if (a != null && a.sequenceNr() > sequenceNr) {
      return OptionalLong.of(a.seenNanos() - dueNanos);
    }
    waiting
        .computeIfAbsent(conversation, k -> new ArrayList<>())
        .add(new Waiting(sequenceNr, dueNanos));
    return OptionalLong.empty();
  }

  /**
   * The assignment numbered {@code sequenceNr}, heard by its agent at {@code seenNanos}: the
   * webhook → agent times of the waiting messages it hands over.
   */
  synchronized LongStream assigned(String conversation, long sequenceNr, long seenNanos) {
    lastAssignment.merge(
        conversation,
        new Assignment(sequenceNr, seenNanos),
        (old, now) -> now.sequenceNr() > old.sequenceNr() ? now : old);
    List<Waiting> list = waiting.get(conversation);
    if (list == null) {
      return LongStream.empty();
    }
    LongStream.Builder handed = LongStream.builder();
    for (Iterator<Waiting> i = list.iterator(); i.hasNext(); ) {
      Waiting w = i.next();
      if (w.sequenceNr() < sequenceNr) {
        handed.add(seenNanos - w.dueNanos());
        i.remove();
      }
    }
    if (list.isEmpty()) {
      waiting.remove(conversation);
    }
    return handed.build();
  }

  /** Messages still waiting for an agent. */
  synchronized int waiting() {
    return waiting.values().stream().mapToInt(List::size).sum();
  }
}

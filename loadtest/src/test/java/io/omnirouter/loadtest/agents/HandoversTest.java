package io.omnirouter.loadtest.agents;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class HandoversTest {

  private final Handovers handovers = new Handovers();

  @Test
  void assignmentHeardAfterTheMessageHandsItOver() {
    assertEquals(OptionalLong.empty(), handovers.unassignedMessage("c1", 1, 1_000));
    assertArrayEquals(new long[] {4_000}, handovers.assigned("c1", 3, 5_000).toArray());
    assertEquals(0, handovers.waiting());
  }

  @Test
  void assignmentHeardBeforeTheMessageStillHandsItOver() {
    // the agent's stream spoke first: the message was visible to the agent from its assignment
    assertArrayEquals(new long[0], handovers.assigned("c1", 3, 5_000).toArray());
    assertEquals(OptionalLong.of(4_000), handovers.unassignedMessage("c1", 1, 1_000));
    assertEquals(0, handovers.waiting());
  }

  @Test
  void anEarlierHandoverLeavesNothingForTheNextEpisode() {
    handovers.assigned("c1", 3, 5_000);
    handovers.unassignedMessage("c1", 1, 1_000);
    // resolved, then the customer writes again an hour later: timed from its own send time
    assertEquals(OptionalLong.empty(), handovers.unassignedMessage("c1", 9, 3_600_000));
    assertArrayEquals(new long[] {200}, handovers.assigned("c1", 11, 3_600_200).toArray());
  }

  @Test
  void everyWaitingMessageIsTimedAndAnOlderAssignmentHandsNothingOver() {
    handovers.unassignedMessage("c1", 4, 1_000);
    handovers.unassignedMessage("c1", 5, 2_000);
    assertArrayEquals(new long[0], handovers.assigned("c1", 2, 2_500).toArray());
    assertEquals(2, handovers.waiting());
    assertArrayEquals(new long[] {5_000, 4_000}, handovers.assigned("c1", 6, 6_000).toArray());
    assertEquals(0, handovers.waiting());
  }
}

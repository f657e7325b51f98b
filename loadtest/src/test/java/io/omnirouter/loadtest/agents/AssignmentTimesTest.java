package io.omnirouter.loadtest.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AssignmentTimesTest {

  private final AssignmentTimes times = new AssignmentTimes();
  private final Instant t0 = Instant.parse("2026-11-24T19:00:00Z");

  @Test
  void timedFromTheQueueingToTheAgentsStreamWhicheverIsHeardFirst() {
    assertEquals(Optional.empty(), times.queued("c1", 1, t0));
    assertEquals(Optional.of(Duration.ofMillis(30)), times.agentHasIt("c1", 1, t0.plusMillis(30)));
    // the agent's stream spoke before the supervisor's told of the queueing
    assertEquals(Optional.empty(), times.agentHasIt("c2", 1, t0.plusMillis(40)));
    assertEquals(Optional.of(Duration.ofMillis(25)), times.queued("c2", 1, t0.plusMillis(15)));
  }

  @Test
  void eachEpisodeIsTimedOnItsOwn() {
    times.queued("c1", 1, t0);
    // episode 2 queued (reopened) before episode 1's assignment was heard: neither is mixed up
    times.queued("c1", 2, t0.plusSeconds(60));
    assertEquals(Optional.of(Duration.ofMillis(10)), times.agentHasIt("c1", 1, t0.plusMillis(10)));
    assertEquals(
        Optional.of(Duration.ofMillis(5)),
        times.agentHasIt("c1", 2, t0.plusSeconds(60).plusMillis(5)));
    assertEquals(Optional.empty(), times.agentHasIt("c1", 2, t0.plusSeconds(61)), "timed once");
  }
}

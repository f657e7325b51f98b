package io.omnirouter.loadtest.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnirouter.loadtest.capture.CaptureLine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayPlanTest {
  private static List<CaptureLine> lines(int n, long everyMillis) {
    List<CaptureLine> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(
          new CaptureLine(
              i * everyMillis, "telegram", "demo-bot", "message", "id" + i, "c", Map.of(), "{}"));
    }
    return lines;
  }

  private static Replay.Options options(
      Replay.Mode mode, double speed, int rate, List<Integer> steps, int maxSeconds) {
    return new Replay.Options(
        List.of("http://127.0.0.1:1"),
        mode,
        speed,
        rate,
        steps,
        2,
        maxSeconds,
        Duration.ofSeconds(1),
        1,
        null);
  }

  @Test
  void asRecordedAtASpeedFactorAndBoundedInTime() {
    var plan = Replay.plan(lines(100, 100), options(Replay.Mode.RECORDED, 2, 0, List.of(), 3));
    assertEquals(60, plan.size(), "100 ms apart at 2× → 50 ms apart, 3 s → 60 of them");
    assertEquals(50_000_000L, plan.get(1).due());
  }

  @Test
  void atAFixedRateIgnoringRecordedTimes() {
    var plan = Replay.plan(lines(100, 1000), options(Replay.Mode.RATE, 1, 40, List.of(), 600));
    assertEquals(100, plan.size());
    assertEquals(25_000_000L, plan.get(1).due());
    assertEquals(99 * 25_000_000L, plan.get(99).due());
  }

  @Test
  void inRateStepsEachHeldItsSecondsUntilTheCaptureEnds() {
    var plan =
        Replay.plan(lines(100, 1), options(Replay.Mode.STEPS, 1, 0, List.of(10, 20, 50), 600));
    // 10/s × 2 s, 20/s × 2 s, then the 60 lines left at 50/s
    assertEquals(100, plan.size());
    assertEquals(0, plan.get(19).step());
    assertEquals(1, plan.get(20).step());
    assertEquals(2_000_000_000L, plan.get(20).due());
    assertEquals(2, plan.get(60).step());
    assertEquals(4_000_000_000L + 20_000_000L, plan.get(61).due());
  }
}

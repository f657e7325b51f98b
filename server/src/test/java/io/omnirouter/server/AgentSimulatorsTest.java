package io.omnirouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.support.Json;
import io.omnirouter.loadtest.LoadTest;
import io.omnirouter.loadtest.agents.AgentSimulators;
import io.omnirouter.loadtest.agents.BenchWorkspace;
import io.omnirouter.loadtest.capture.CaptureLine;
import io.omnirouter.loadtest.capture.Generator;
import io.omnirouter.loadtest.capture.Signer;
import io.omnirouter.loadtest.replay.Replay;
import io.omnirouter.loadtest.sim.ProviderSimulator;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * The agent simulators against a router on the real Cassandra, in a workspace written by {@code
 * loadtest workspace}: agents go online on the live stream, get conversations assigned, reply
 * through the provider simulator and resolve; the latencies they report have samples.
 */
class AgentSimulatorsTest {
  @Test
  void agentsOnTheStreamAreAssignedReplyAndMeasure() throws Exception {
    String id = "b" + UUID.randomUUID().toString().replace("-", "").substring(0, 9);
    BenchWorkspace ws = new BenchWorkspace(id);
    int simPort;
    try (ServerSocket free = new ServerSocket(0)) {
      simPort = free.getLocalPort();
    }
    var simSystem = ActorSystem.create(Behaviors.empty(), "simulator");
    try (var sim =
            new ProviderSimulator(
                simSystem, BenchWorkspace.SIM_TOKEN, BenchWorkspace.TELEGRAM_BOT, simPort);
        var router =
            new InProcessRouter("agents", TestCassandra.config(ws.config(3, 2, simPort)), true)) {
      List<CaptureLine> lines =
          Generator.generate(
              new Generator.Options(
                  3, 4, 5, 8, 1, 0, Map.of("whatsapp", 1.0), ws.accounts(), 0, 0, 0, 0, 1, 0));
      String url = "http://127.0.0.1:" + router.port;
      // a node that is gone comes first: half the calls and streams start there and move on
      String gone;
      try (ServerSocket free = new ServerSocket(0)) {
        gone = "http://127.0.0.1:" + free.getLocalPort();
      }
      try (var agents =
          new AgentSimulators(
              new AgentSimulators.Options(
                  List.of(gone, url),
                  id,
                  ws.supervisorToken(),
                  ws.agents(3),
                  Duration.ofMillis(200),
                  true))) {
        agents.start();
        var options =
            new Replay.Options(
                List.of(url),
                Replay.Mode.RECORDED,
                1,
                0,
                List.of(),
                0,
                30,
                Duration.ofSeconds(10),
                4,
                null);
        var result =
            Replay.run(
                lines,
                new Signer(ws.secrets()),
                options,
                (line, due) -> agents.sending(line.id(), due));
        assertEquals(result.sent(), result.ok(), result.statuses().toString());
        // every message on the supervisor's stream, and every assigned conversation replied to
        try {
          org.awaitility.Awaitility.await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  agents::result,
                  x ->
                      x.supervisorVisibleMicros().getTotalCount() >= result.sent()
                          && x.replies() > 0
                          && x.replies() >= x.assigned());
        } catch (org.awaitility.core.ConditionTimeoutException notYet) {
          // the assertions below say what is missing
        }
        AgentSimulators.Result r = agents.result();
        long visible = r.supervisorVisibleMicros().getTotalCount();
        long assigned = r.assigned();
        long replies = r.replies();
        long queuedToAssigned = r.assignmentMicros().getTotalCount();
        assertEquals(result.sent(), visible, "every message reached the supervisor's stream");
        assertTrue(assigned > 0 && replies > 0, "assigned " + assigned + ", replied " + replies);
        assertEquals(0, r.replyFailures());
        assertTrue(queuedToAssigned > 0, "assignment latency measured");
        assertTrue(r.decisionMicros().getTotalCount() > 0, "assignment decisions measured");
        assertTrue(sim.sent().size() > 0, "replies went out through the simulator");
        assertTrue(r.apiRetries() > 0, "no call went to the node that is gone first");
        assertTrue(r.streamReconnects() > 0, "no stream moved on from the node that is gone");
        // every reply answered 2xx is in its thread once
        AgentSimulators.ReplyCheck check = agents.checkReplies(Duration.ofSeconds(20));
        assertTrue(check.acknowledged() >= replies, check.toString());
        assertEquals(0, check.lost(), "replies lost");
        assertEquals(0, check.duplicated(), "replies stored twice");
        String summary = LoadTest.summary(options, result, 100, r, check);
        assertTrue(Json.MAPPER.readTree(summary).path("agents").has("queued_to_assigned"));
        assertTrue(Json.MAPPER.readTree(summary).path("agents").has("queued_to_decided"));
        assertEquals(
            0,
            Json.MAPPER
                .readTree(summary)
                .path("agents")
                .path("replies_checked")
                .path("lost")
                .asInt(-1));
      }
    } finally {
      simSystem.terminate();
    }
  }
}

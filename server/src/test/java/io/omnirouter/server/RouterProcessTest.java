package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The real Main in its own JVM: health, readiness against the real Cassandra, Pekko metrics. On a
 * keyspace of its own, as on a fresh install: the schema is created by the router itself (the
 * ingest log once took the journal's session first, and the journal never created its tables).
 */
class RouterProcessTest {

  @Test
  void startsOnAFreshKeyspaceBecomesReadyExportsPekkoMetricsAndStopsOnSigterm() throws Exception {
    String keyspace = "fresh_" + java.util.UUID.randomUUID().toString().replace("-", "");
    try (RouterProcess router =
        RouterProcess.start("single", "omnirouter.cassandra.keyspace = " + keyspace)) {
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> router.get("/ready").statusCode() == 200);

      var health = router.get("/health");
      assertEquals(200, health.statusCode());
      assertTrue(health.body().contains("\"UP\""), health.body());
      var ready = router.get("/ready");
      assertTrue(ready.body().contains("journal round trip ok"), ready.body());

      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () -> {
                String metrics = router.get(router.metricsPort, "/metrics").body();
                return metrics.contains("pekko_actor_")
                    && metrics.contains("http_server_requests_total");
              });

      int exit = router.stop();
      // 143 = 128 + SIGTERM: the JVM reports the signal even after a clean CoordinatedShutdown
      assertTrue(exit == 0 || exit == 143, "exit code " + exit + ":\n" + router.logText());
      assertTrue(router.logText().contains("CoordinatedShutdown"), router.logText());
    }
  }
}

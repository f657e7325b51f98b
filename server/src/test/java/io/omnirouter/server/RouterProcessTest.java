package io.omnirouter.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

      servesMoreConnectionsAtOnceThanPekkosDefault(router.httpPort);

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

  /**
   * Every online agent's live stream holds a connection. At Pekko's default {@code max-connections}
   * (1,024) the router stopped accepting, and webhooks waited unanswered in the accept queue
   * (docs/BENCHMARKS.md, twelfth session): 1,100 keep-alive connections held open together, each
   * answered.
   */
  private static void servesMoreConnectionsAtOnceThanPekkosDefault(int port) throws Exception {
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 1100; i++) {
        Socket socket = new Socket("127.0.0.1", port);
        open.add(socket);
        socket.setSoTimeout(10_000); // an unaccepted connection is never answered
        socket
            .getOutputStream()
            .write(
                "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        String status;
        try {
          status =
              new BufferedReader(
                      new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                  .readLine();
        } catch (java.net.SocketTimeoutException e) {
          throw new AssertionError("connection " + (i + 1) + " not answered within 10 s", e);
        }
        assertEquals("HTTP/1.1 200 OK", status, "connection " + (i + 1));
      }
    } finally {
      for (Socket socket : open) {
        socket.close();
      }
    }
  }
}

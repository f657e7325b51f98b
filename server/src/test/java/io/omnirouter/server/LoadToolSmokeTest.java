package io.omnirouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.support.Json;
import io.omnirouter.loadtest.LoadTest;
import io.omnirouter.loadtest.ingest.OpenModelIngest;
import io.omnirouter.loadtest.verify.StoredOnce;
import io.omnirouter.persistence.testkit.TestCassandra;
import io.omnirouter.server.api.ApiTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few seconds of the load tool against a router on the real Cassandra: the run writes its
 * summary, latency log and acknowledged ids, and verification through the API finds every
 * acknowledged message stored exactly once — with provider redeliveries in the traffic.
 */
class LoadToolSmokeTest {
  @Test
  void aShortRunProducesItsReportAndVerifiesNothingLostOrDuplicated(@TempDir Path out)
      throws Exception {
    String ws = "lt" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String conf =
        "omnirouter.workspaces."
            + ws
            + " {\n name = Load\n"
            + " teams = [ { id = support, name = S, strategy = least-loaded } ]\n"
            + " agents = []\n"
            + " channels = [ { channel = whatsapp, account = \"wa-"
            + ws
            + "\", default-team = support, app-secret = s3cret, verify-token = vt } ]\n"
            + " api-tokens = [ { name = sup, role = supervisor, sha256 = \""
            + ApiTokens.sha256("sup-" + ws)
            + "\" } ]\n}\n";
    try (var router = new InProcessRouter("loadtool", TestCassandra.config(conf), false)) {
      String url = "http://127.0.0.1:" + router.port;
      var options =
          new OpenModelIngest.Options(
              url,
              "wa-" + ws,
              "s3cret",
              20,
              Duration.ofSeconds(3),
              10,
              Duration.ofSeconds(10),
              0.2,
              null);
      var result = OpenModelIngest.run(options);
      assertEquals(60, result.sent());
      LoadTest.write(out, OpenModelIngest.summary(options, result), result);
      var summary = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
      assertEquals(60, summary.path("sent").asLong());
      assertTrue(summary.has("p99_ms"));
      assertTrue(Files.readString(out.resolve("latency.hlog")).contains("Histogram log format"));
      assertTrue(result.acknowledged().size() > 0, "messages were acknowledged");

      var verified =
          new StoredOnce(new StoredOnce.Options(url, ws, "sup-" + ws, Duration.ofSeconds(40)))
              .check(result.acknowledged());
      assertEquals(result.acknowledged().size(), verified.found(), "lost: " + verified.lost());
      assertEquals(0, verified.duplicated().size(), "duplicated: " + verified.duplicated());
    }
  }
}

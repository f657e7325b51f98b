package io.omnirouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.support.Json;
import io.omnirouter.loadtest.LoadTest;
import io.omnirouter.loadtest.capture.CaptureLine;
import io.omnirouter.loadtest.capture.Generator;
import io.omnirouter.loadtest.capture.Signer;
import io.omnirouter.loadtest.replay.Replay;
import io.omnirouter.loadtest.verify.StoredOnce;
import io.omnirouter.persistence.testkit.TestCassandra;
import io.omnirouter.server.api.ApiTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few seconds of the load tool against a router on the real Cassandra: a generated capture over
 * six channels (with redeliveries and status webhooks), written and read back, replayed in two rate
 * steps with every request signed for this router — all answered 200 (so each channel's signing
 * matches its connector); the run writes its summary, latency log, acknowledged ids and HTML
 * report, and verification through the API finds every acknowledged message stored exactly once.
 */
class LoadToolSmokeTest {
  private static final List<String> CHANNELS =
      List.of("whatsapp", "messenger", "telegram", "line", "viber", "sms");

  @Test
  void aShortReplayProducesItsReportAndVerifiesNothingLostOrDuplicated(@TempDir Path out)
      throws Exception {
    String ws = "lt" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    Map<String, String> accounts = new LinkedHashMap<>();
    Map<String, String> secrets = new LinkedHashMap<>();
    StringBuilder channels = new StringBuilder();
    for (String channel : CHANNELS) {
      String account = channel + "-" + ws;
      String secret = "s3cret-" + channel;
      accounts.put(channel, account);
      secrets.put(account, secret);
      String key =
          switch (channel) {
            case "whatsapp", "messenger" -> "app-secret";
            case "telegram" -> "secret-token";
            case "line" -> "channel-secret";
            default -> "auth-token";
          };
      channels
          .append("{ channel = ")
          .append(channel)
          .append(", account = \"")
          .append(account)
          .append("\", default-team = support, ")
          .append(key)
          .append(" = \"")
          .append(secret)
          .append("\", verify-token = vt }\n");
    }
    String conf =
        "omnirouter.workspaces."
            + ws
            + " {\n name = Load\n"
            + " teams = [ { id = support, name = S, strategy = least-loaded } ]\n"
            + " agents = []\n"
            + " channels = [\n"
            + channels
            + " ]\n"
            + " api-tokens = [ { name = sup, role = supervisor, sha256 = \""
            + ApiTokens.sha256("sup-" + ws)
            + "\" } ]\n}\n";
    Map<String, Double> mix = new LinkedHashMap<>();
    CHANNELS.forEach(c -> mix.put(c, 1.0));
    List<CaptureLine> generated =
        Generator.generate(
            new Generator.Options(7, 4, 25, 30, 1.1, 1000, mix, accounts, 0.2, 0.3, 2, 1, 2, 0));
    Path capture = out.resolve("capture.jsonl");
    CaptureLine.write(capture, generated);
    List<CaptureLine> lines = CaptureLine.read(capture);
    assertEquals(generated, lines, "a capture reads back as written");

    try (var router = new InProcessRouter("loadtool", TestCassandra.config(conf), false)) {
      String url = "http://127.0.0.1:" + router.port;
      var options =
          new Replay.Options(
              List.of(url),
              Replay.Mode.STEPS,
              1,
              0,
              List.of(15, 30),
              2,
              30,
              Duration.ofSeconds(10),
              8,
              null);
      var result = Replay.run(lines, new Signer(secrets), options);
      assertEquals(90, result.sent());
      assertEquals(Map.of(200, 90L), result.statuses(), "every channel's request was accepted");
      String summary = LoadTest.summary(options, result, 100);
      LoadTest.write(out, "smoke", summary, result);
      var json = Json.MAPPER.readTree(out.resolve("summary.json").toFile());
      assertEquals(90, json.path("sent").asLong());
      assertEquals(2, json.path("steps").size());
      assertTrue(json.path("steps").get(0).has("p99_ms"));
      assertTrue(Files.readString(out.resolve("latency.hlog")).contains("Histogram log format"));
      assertTrue(Files.readString(out.resolve("report.html")).contains("<polyline"));
      Set<String> channelsAcked = new HashSet<>();
      result.acknowledged().values().forEach(k -> channelsAcked.add(k.split(":")[0]));
      assertTrue(channelsAcked.size() >= 4, "acknowledged over several channels: " + channelsAcked);

      var verified =
          new StoredOnce(new StoredOnce.Options(url, ws, "sup-" + ws, Duration.ofSeconds(40)))
              .check(result.acknowledged());
      assertEquals(result.acknowledged().size(), verified.found(), "lost: " + verified.lost());
      assertEquals(0, verified.duplicated().size(), "duplicated: " + verified.duplicated());
    }
  }
}

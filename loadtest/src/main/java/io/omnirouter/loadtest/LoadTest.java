package io.omnirouter.loadtest;

import io.omnirouter.connectors.support.Json;
import io.omnirouter.loadtest.ingest.OpenModelIngest;
import io.omnirouter.loadtest.verify.StoredOnce;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.HistogramLogWriter;

/**
 * {@code ./omnirouter loadtest ingest [--rate 500] [--duration 20] [--contacts 1000] [--url
 * http://127.0.0.1:8080] [--account demo-wa] [--secret demo-app-secret] [--redeliveries 0.1] [--out
 * DIR]} (a share of requests re-sends an earlier message, as providers do) — progress on stderr, a
 * JSON summary line on stdout; with {@code --out}: {@code summary.json}, the latency {@code
 * latency.hlog} (HdrHistogram log), {@code acked.json} (provider id → sender) and {@code
 * timeline.json} (per second of the run: statuses and the worst latency).
 *
 * <p>{@code ./omnirouter loadtest verify --acked DIR/acked.json [--workspace demo] [--token
 * demo-supervisor-token] [--settle 60]} — checks through the API that every acknowledged message is
 * stored exactly once; prints lost and duplicated counts; exits 1 if any.
 */
public final class LoadTest {
  private LoadTest() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !List.of("ingest", "verify").contains(args[0])) {
      System.err.println(
          "usage: loadtest ingest [--rate N/s] [--duration seconds] [--contacts N] [--url URL]"
              + " [--account A] [--secret S] [--redeliveries 0..1] [--out DIR]"
              + " [--probe /health (a bare route's ceiling instead of webhooks)]\n"
              + "       loadtest verify --acked FILE [--url URL] [--workspace W] [--token T]"
              + " [--settle seconds]");
      System.exit(2);
    }
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String url = o.getOrDefault("url", "http://127.0.0.1:8080");
    System.exit("ingest".equals(args[0]) ? ingest(o, url) : verify(o, url));
  }

  private static int ingest(Map<String, String> o, String url) throws Exception {
    var options =
        new OpenModelIngest.Options(
            url,
            o.getOrDefault("account", "demo-wa"),
            o.getOrDefault("secret", "demo-app-secret"),
            Integer.parseInt(o.getOrDefault("rate", "500")),
            Duration.ofSeconds(Long.parseLong(o.getOrDefault("duration", "20"))),
            Integer.parseInt(o.getOrDefault("contacts", "1000")),
            Duration.ofSeconds(Long.parseLong(o.getOrDefault("timeout", "10"))),
            Double.parseDouble(o.getOrDefault("redeliveries", "0")),
            o.get("probe"));
    System.err.printf(
        java.util.Locale.ROOT,
        "ingest: %d webhooks/s for %ds to %s (open model)%n",
        options.rate(),
        options.duration().toSeconds(),
        options.baseUrl());
    var result = OpenModelIngest.run(options);
    String summary = OpenModelIngest.summary(options, result);
    System.out.println(summary);
    if (o.containsKey("out")) {
      write(Path.of(o.get("out")), summary, result);
    }
    return 0;
  }

  /** The run's files: summary, HdrHistogram log, acknowledged ids. */
  public static void write(Path dir, String summary, OpenModelIngest.Result result)
      throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("summary.json"), summary + "\n", StandardCharsets.UTF_8);
    try (PrintStream log = new PrintStream(dir.resolve("latency.hlog").toFile(), "UTF-8")) {
      var writer = new HistogramLogWriter(log);
      writer.outputComment("webhook ack latency from the intended send time, microseconds");
      writer.outputLogFormatVersion();
      writer.outputLegend();
      writer.outputIntervalHistogram(result.latencyMicros());
    }
    Json.MAPPER.writeValue(dir.resolve("acked.json").toFile(), result.acknowledged());
    Json.MAPPER.writeValue(dir.resolve("timeline.json").toFile(), result.timeline());
  }

  private static int verify(Map<String, String> o, String url) throws Exception {
    if (!o.containsKey("acked")) {
      System.err.println("verify needs --acked FILE (acked.json of an ingest run with --out)");
      return 2;
    }
    Map<String, String> acked = new LinkedHashMap<>();
    Json.MAPPER
        .readTree(Path.of(o.get("acked")).toFile())
        .fields()
        .forEachRemaining(e -> acked.put(e.getKey(), e.getValue().asText()));
    var check =
        new StoredOnce(
            new StoredOnce.Options(
                url,
                o.getOrDefault("workspace", "demo"),
                o.getOrDefault("token", "demo-supervisor-token"),
                Duration.ofSeconds(Long.parseLong(o.getOrDefault("settle", "60")))));
    var result = check.check(acked);
    System.out.println(StoredOnce.summary(result));
    return result.lost().isEmpty() && result.duplicated().isEmpty() ? 0 : 1;
  }
}

package io.omnirouter.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.loadtest.agents.AgentSimulators;
import io.omnirouter.loadtest.agents.BenchWorkspace;
import io.omnirouter.loadtest.capture.CaptureLine;
import io.omnirouter.loadtest.capture.Generator;
import io.omnirouter.loadtest.capture.Signer;
import io.omnirouter.loadtest.replay.Replay;
import io.omnirouter.loadtest.report.HtmlReport;
import io.omnirouter.loadtest.verify.StoredOnce;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The load-test CLI ({@code ./omnirouter loadtest <command>}); every command prints its usage with
 * {@code --help}. Progress goes to stderr, a JSON summary line to stdout.
 *
 * <ul>
 *   <li>{@code generate --out capture.jsonl} — a synthetic capture (see {@link Generator}).
 *   <li>{@code replay --capture FILE [--speed F | --rate N | --steps 100,200,400]} — sends it in an
 *       open model (see {@link Replay}); {@code --out DIR} writes summary.json, latency.hlog,
 *       acked.json, timeline.json and report.html.
 *   <li>{@code ingest --rate N --duration S} — generate (WhatsApp only) and replay at a fixed rate
 *       in one step, the drills' workhorse.
 *   <li>{@code verify --acked DIR/acked.json} — every acknowledged message stored exactly once?
 * </ul>
 */
public final class LoadTest {
  private LoadTest() {}

  private static final String USAGE =
      String.join(
          "\n",
          "usage: loadtest generate --out FILE [--duration 60] [--rate 100] [--contacts 10000]"
              + " [--first-contact 0] [--zipf 1.1] [--contact-gap-ms 1000] [--mix whatsapp=50,messenger=15,sms=10,telegram=10,line=10,viber=5]"
              + " [--redeliveries 0.05] [--statuses 0.3] [--burst-every 30] [--burst-seconds 3]"
              + " [--burst-factor 3] [--seed 42] [--epoch millis (provider timestamps; now)]"
              + " [--workspace W]",
          "       loadtest replay --capture FILE [--speed 1 | --rate N | --steps 100,200,400"
              + " --step-seconds 20] [--url URL[,URL…]] [--secrets account=secret,…]"
              + " [--max-seconds 600] [--timeout 10] [--connections 64] [--slo-ms 100]"
              + " [--probe /health] [--out DIR]",
          "       loadtest ingest [--rate 500] [--duration 20] [--contacts 1000] [--url URL[,URL…]]"
              + " [--account demo-wa] [--secret demo-app-secret] [--redeliveries 0..1]"
              + " [--probe /health] [--out DIR]",
          "       loadtest verify --acked FILE [--url URL] [--workspace demo]"
              + " [--token demo-supervisor-token] [--settle 60]",
          "       loadtest workspace --out FILE [--workspace bench] [--agents 1000] [--capacity 5]"
              + " [--simulator-port 9481]   (then ./omnirouter start --config FILE)",
          "       loadtest summary --dir DIR [--print b1-rate]   (of a scripts/bench.sh run)",
          "       loadtest timeline --file DIR/timeline.json   (per second: statuses, worst latency)",
          "  with a workspace made by `workspace`: generate/replay --workspace W use its accounts"
              + " and secrets; replay --agents N [--think 2] [--settle 10] [--check-replies true]"
              + " puts N of its agents on the live stream (they reply through a provider simulator"
              + " on --simulator-port; with several --url, a call or stream a node cannot take goes"
              + " to the next; --check-replies looks up every reply answered 2xx in its thread)");

  public static void main(String[] args) throws Exception {
    io.omnirouter.core.CommonPool.atLeastTwoThreads(); // first: see its doc
    if (args.length == 0
        || !List.of("generate", "replay", "ingest", "verify", "workspace", "summary", "timeline")
            .contains(args[0])
        || Arrays.asList(args).contains("--help")) {
      System.err.println(USAGE);
      System.exit(args.length > 0 && Arrays.asList(args).contains("--help") ? 0 : 2);
    }
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        System.err.println("expected --option value, got " + args[i] + "\n" + USAGE);
        System.exit(2);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    String url = o.getOrDefault("url", "http://127.0.0.1:8080");
    try {
      System.exit(
          switch (args[0]) {
            case "generate" -> generate(o);
            case "replay" -> replay(o, url);
            case "ingest" -> ingest(o, url);
            case "workspace" -> workspace(o);
            case "summary" -> summary(o);
            case "timeline" -> timeline(o);
            default -> verify(o, url);
          });
    } catch (IllegalArgumentException e) {
      System.err.println("loadtest " + args[0] + ": " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      // exit even if a client or simulator thread is still alive
      System.err.println("loadtest " + args[0] + " failed: " + e);
      System.exit(1);
    }
  }

  /** The generator options from the command line (defaults: {@link Generator.Options#defaults}). */
  static Generator.Options generatorOptions(Map<String, String> o) {
    Generator.Options d = Generator.Options.defaults();
    Map<String, Double> mix = d.mix();
    Map<String, String> accounts =
        o.containsKey("workspace")
            ? new BenchWorkspace(o.get("workspace")).accounts()
            : d.accounts();
    if (o.containsKey("mix")) {
      mix = new LinkedHashMap<>();
      for (String pair : o.get("mix").split(",")) {
        String[] kv = pair.split("=", 2);
        mix.put(kv[0].trim(), kv.length == 2 ? Double.parseDouble(kv[1]) : 1.0);
      }
    }
    return new Generator.Options(
        Long.parseLong(o.getOrDefault("seed", Long.toString(d.seed()))),
        Integer.parseInt(o.getOrDefault("duration", Integer.toString(d.durationSeconds()))),
        Double.parseDouble(o.getOrDefault("rate", Double.toString(d.rate()))),
        Integer.parseInt(o.getOrDefault("contacts", Integer.toString(d.contacts()))),
        Double.parseDouble(o.getOrDefault("zipf", Double.toString(d.zipf()))),
        Integer.parseInt(o.getOrDefault("contact-gap-ms", Integer.toString(d.contactGapMillis()))),
        mix,
        accounts,
        Double.parseDouble(o.getOrDefault("redeliveries", Double.toString(d.redeliveries()))),
        Double.parseDouble(o.getOrDefault("statuses", Double.toString(d.statuses()))),
        Integer.parseInt(o.getOrDefault("burst-every", Integer.toString(d.burstEvery()))),
        Integer.parseInt(o.getOrDefault("burst-seconds", Integer.toString(d.burstSeconds()))),
        Double.parseDouble(o.getOrDefault("burst-factor", Double.toString(d.burstFactor()))),
        Integer.parseInt(o.getOrDefault("first-contact", Integer.toString(d.firstContact()))));
  }

  private static int generate(Map<String, String> o) throws Exception {
    if (!o.containsKey("out")) {
      throw new IllegalArgumentException("generate needs --out FILE");
    }
    Generator.Options g = generatorOptions(o);
    List<CaptureLine> lines =
        o.containsKey("epoch")
            ? Generator.generate(g, Long.parseLong(o.get("epoch")))
            : Generator.generate(g);
    CaptureLine.write(Path.of(o.get("out")), lines);
    Map<String, Long> byChannel = new TreeMap<>();
    Map<String, Long> byKind = new TreeMap<>();
    for (CaptureLine l : lines) {
      byChannel.merge(l.channel(), 1L, Long::sum);
      byKind.merge(l.kind(), 1L, Long::sum);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("file", o.get("out"));
    out.put("lines", lines.size());
    out.put("seconds", lines.isEmpty() ? 0 : lines.get(lines.size() - 1).t() / 1000.0);
    out.put("channels", byChannel);
    out.put("kinds", byKind);
    System.out.println(Json.MAPPER.writeValueAsString(out));
    return 0;
  }

  private static int replay(Map<String, String> o, String url) throws Exception {
    if (!o.containsKey("capture")) {
      throw new IllegalArgumentException("replay needs --capture FILE (see loadtest generate)");
    }
    List<CaptureLine> lines = CaptureLine.read(Path.of(o.get("capture")));
    Replay.Options options = replayOptions(o, url);
    Signer signer =
        o.containsKey("workspace") && !o.containsKey("secrets")
            ? new Signer(new BenchWorkspace(o.get("workspace")).secrets())
            : Signer.parse(o.get("secrets"));
    return run("replay of " + o.get("capture"), lines, signer, options, o);
  }

  private static int timeline(Map<String, String> o) throws Exception {
    if (!o.containsKey("file")) {
      throw new IllegalArgumentException("timeline needs --file DIR/timeline.json");
    }
    Map<Long, JsonNode> seconds = new TreeMap<>();
    Json.MAPPER
        .readTree(Path.of(o.get("file")).toFile())
        .fields()
        .forEachRemaining(e -> seconds.put(Long.parseLong(e.getKey()), e.getValue()));
    seconds.forEach(
        (second, v) ->
            System.out.printf(
                Locale.ROOT,
                "%4d  %s  %d ms%n",
                second,
                v.path("statuses"),
                v.path("maxLatencyMillis").asLong()));
    return 0;
  }

  private static int summary(Map<String, String> o) throws Exception {
    if (!o.containsKey("dir")) {
      throw new IllegalArgumentException("summary needs --dir DIR (a scripts/bench.sh run)");
    }
    var summary = new io.omnirouter.loadtest.report.BenchSummary(Path.of(o.get("dir")));
    if ("b1-rate".equals(o.get("print"))) {
      System.out.println((long) summary.b1Rate());
    } else {
      System.out.print(summary.markdown());
    }
    return 0;
  }

  private static int workspace(Map<String, String> o) throws Exception {
    if (!o.containsKey("out")) {
      throw new IllegalArgumentException("workspace needs --out FILE");
    }
    BenchWorkspace ws = new BenchWorkspace(o.getOrDefault("workspace", "bench"));
    Path file = Path.of(o.get("out"));
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(
        file,
        ws.config(
            Integer.parseInt(o.getOrDefault("agents", "1000")),
            Integer.parseInt(o.getOrDefault("capacity", "5")),
            Integer.parseInt(o.getOrDefault("simulator-port", "9481"))),
        StandardCharsets.UTF_8);
    System.err.println(
        "wrote "
            + file
            + "; start with ./omnirouter start --config "
            + file
            + "; supervisor token "
            + ws.supervisorToken());
    return 0;
  }

  static Replay.Options replayOptions(Map<String, String> o, String url) {
    Replay.Mode mode =
        o.containsKey("steps")
            ? Replay.Mode.STEPS
            : o.containsKey("rate") ? Replay.Mode.RATE : Replay.Mode.RECORDED;
    List<Integer> steps = new ArrayList<>();
    if (o.containsKey("steps")) {
      for (String s : o.get("steps").split(",")) {
        steps.add(Integer.parseInt(s.trim()));
      }
    }
    int maxSeconds = Integer.parseInt(o.getOrDefault("max-seconds", "600"));
    if (maxSeconds <= 0 || maxSeconds > 3600) {
      throw new IllegalArgumentException("--max-seconds must be 1..3600 (runs are bounded)");
    }
    return new Replay.Options(
        List.of(url.split(",")),
        mode,
        Double.parseDouble(o.getOrDefault("speed", "1")),
        Integer.parseInt(o.getOrDefault("rate", "0")),
        steps,
        Integer.parseInt(o.getOrDefault("step-seconds", "20")),
        maxSeconds,
        Duration.ofSeconds(Long.parseLong(o.getOrDefault("timeout", "10"))),
        Integer.parseInt(o.getOrDefault("connections", "64")),
        o.get("probe"));
  }

  private static int ingest(Map<String, String> o, String url) throws Exception {
    int rate = Integer.parseInt(o.getOrDefault("rate", "500"));
    int duration = Integer.parseInt(o.getOrDefault("duration", "20"));
    String account = o.getOrDefault("account", "demo-wa");
    Generator.Options g =
        new Generator.Options(
            Long.parseLong(o.getOrDefault("seed", Long.toString(System.nanoTime()))),
            duration + 1,
            // enough distinct lines for the fixed-rate schedule
            rate * 1.2 + 10,
            Integer.parseInt(o.getOrDefault("contacts", "1000")),
            Double.parseDouble(o.getOrDefault("zipf", "1.1")),
            Integer.parseInt(o.getOrDefault("contact-gap-ms", "1000")),
            Map.of("whatsapp", 1.0),
            Map.of("whatsapp", account),
            Double.parseDouble(o.getOrDefault("redeliveries", "0")),
            0,
            0,
            0,
            1,
            0);
    List<CaptureLine> lines = Generator.generate(g);
    Map<String, String> replay = new HashMap<>(o);
    replay.put("rate", Integer.toString(rate));
    replay.put("max-seconds", Integer.toString(duration));
    Signer signer =
        new Signer(Map.of(account, o.getOrDefault("secret", Signer.DEMO_SECRETS.get("demo-wa"))));
    return run(
        "ingest " + rate + "/s for " + duration + " s",
        lines,
        signer,
        replayOptions(replay, url),
        o);
  }

  private static int run(
      String title,
      List<CaptureLine> lines,
      Signer signer,
      Replay.Options options,
      Map<String, String> o)
      throws Exception {
    System.err.printf(
        Locale.ROOT,
        "%s: %d lines, %s to %s (open model)%n",
        title,
        lines.size(),
        options.mode() == Replay.Mode.STEPS
            ? "steps " + options.steps() + " × " + options.stepSeconds() + " s"
            : options.mode() == Replay.Mode.RATE
                ? options.rate() + "/s"
                : "as recorded × " + options.speed(),
        options.urls());
    int agentCount = Integer.parseInt(o.getOrDefault("agents", "0"));
    Replay.Result result;
    AgentSimulators.Result agents = null;
    AgentSimulators.ReplyCheck replies = null;
    if (agentCount > 0) {
      if (!o.containsKey("workspace")) {
        throw new IllegalArgumentException(
            "--agents needs --workspace W made by `loadtest workspace` (its agents' tokens)");
      }
      BenchWorkspace ws = new BenchWorkspace(o.get("workspace"));
      var simSystem =
          org.apache.pekko.actor.typed.ActorSystem.create(
              org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "simulator");
      try (var sim =
              new io.omnirouter.loadtest.sim.ProviderSimulator(
                  simSystem,
                  BenchWorkspace.SIM_TOKEN,
                  BenchWorkspace.TELEGRAM_BOT,
                  Integer.parseInt(o.getOrDefault("simulator-port", "9481")));
          var sims =
              new AgentSimulators(
                  new AgentSimulators.Options(
                      options.urls(),
                      ws.id(),
                      ws.supervisorToken(),
                      ws.agents(agentCount),
                      Duration.ofMillis(
                          (long) (1000 * Double.parseDouble(o.getOrDefault("think", "2")))),
                      true))) {
        sims.start();
        System.err.printf(Locale.ROOT, "%d agents online on the live stream%n", agentCount);
        result =
            Replay.run(
                lines,
                signer,
                options,
                (line, due) -> {
                  if (line.carriesMessage()) {
                    sims.sending(line.id(), due);
                  }
                });
        long settle = Long.parseLong(o.getOrDefault("settle", "10"));
        java.util.concurrent.locks.LockSupport.parkNanos(settle * 1_000_000_000L);
        agents = sims.result();
        if (Boolean.parseBoolean(o.getOrDefault("check-replies", "false"))) {
          replies = sims.checkReplies(Duration.ofSeconds(settle * 4));
          System.err.printf(
              Locale.ROOT,
              "replies answered 2xx: %d, lost %d, duplicated %d%n",
              replies.acknowledged(),
              replies.lost(),
              replies.duplicated());
        }
      } finally {
        simSystem.terminate();
      }
    } else {
      result = Replay.run(lines, signer, options);
    }
    String summary =
        summary(
            options, result, Double.parseDouble(o.getOrDefault("slo-ms", "100")), agents, replies);
    System.out.println(summary);
    if (o.containsKey("out")) {
      write(Path.of(o.get("out")), title, summary, result);
    }
    return 0;
  }

  /** The run's files: summary, HdrHistogram log, acknowledged ids, timeline, HTML report. */
  public static void write(Path dir, String title, String summary, Replay.Result result)
      throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("summary.json"), summary + "\n", StandardCharsets.UTF_8);
    try (PrintStream log = new PrintStream(dir.resolve("latency.hlog").toFile(), "UTF-8")) {
      var writer = new HistogramLogWriter(log);
      writer.outputComment("ack latency from the intended send time, microseconds; one per step");
      writer.outputLogFormatVersion();
      writer.outputLegend();
      for (Replay.StepResult s : result.steps()) {
        Histogram h = s.latencyMicros();
        h.setTag("rate=" + s.targetRate());
        writer.outputIntervalHistogram(h);
      }
    }
    Json.MAPPER.writeValue(dir.resolve("acked.json").toFile(), result.acknowledged());
    Json.MAPPER.writeValue(dir.resolve("timeline.json").toFile(), result.timeline());
    Files.writeString(
        dir.resolve("report.html"),
        HtmlReport.render(title, summary, result),
        StandardCharsets.UTF_8);
  }

  /**
   * The JSON summary; {@code highest_clean_rate}: the highest step whose p99 is within {@code
   * sloMs} with every request answered 2xx (B1's definition).
   */
  public static String summary(Replay.Options options, Replay.Result r, double sloMs) {
    return summary(options, r, sloMs, null);
  }

  /** With what the agent simulators measured, if any ran. */
  public static String summary(
      Replay.Options options, Replay.Result r, double sloMs, AgentSimulators.Result agents) {
    return summary(options, r, sloMs, agents, null);
  }

  /** And, if they were checked, where the agents' replies answered 2xx ended up. */
  public static String summary(
      Replay.Options options,
      Replay.Result r,
      double sloMs,
      AgentSimulators.Result agents,
      AgentSimulators.ReplyCheck replies) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("mode", options.mode().name().toLowerCase(Locale.ROOT));
    out.put("sent", r.sent());
    out.put("ok", r.ok());
    out.put("errors", r.errors());
    out.put("achieved_ok_rate", Math.round(r.achievedRate() * 10) / 10.0);
    percentiles(out, r.latencyMicros());
    out.put("statuses", r.statuses());
    List<Map<String, Object>> steps = new ArrayList<>();
    Double clean = null;
    Double sustained = null;
    for (Replay.StepResult s : r.steps()) {
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("target_rate", Math.round(s.targetRate() * 10) / 10.0);
      step.put("sent", s.sent());
      step.put("ok", s.ok());
      step.put("errors", s.errors());
      percentiles(step, s.latencyMicros());
      step.put("statuses", s.statuses());
      steps.add(step);
      if (s.sent() > 0
          && s.errors() == 0
          && s.latencyMicros().getValueAtPercentile(99) <= sloMs * 1000) {
        clean = clean == null ? s.targetRate() : Math.max(clean, s.targetRate());
      }
      if (s.sent() > 0 && s.errors() == 0 && s.latencyMicros().getValueAtPercentile(99) <= 1e6) {
        sustained = sustained == null ? s.targetRate() : Math.max(sustained, s.targetRate());
      }
    }
    out.put("steps", steps);
    out.put("slo_p99_ms", sloMs);
    out.put("highest_clean_rate", clean);
    // kept up: every request 2xx and p99 within a second (a capacity figure, not B1's)
    out.put("highest_sustained_rate", sustained);
    if (agents != null) {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("streams_open_at_end", agents.streamsOpen());
      a.put("assigned", agents.assigned());
      a.put("replies", agents.replies());
      a.put("reply_failures", agents.replyFailures());
      a.put("resolved", agents.resolved());
      Map<String, Object> visible = latency(agents.agentVisibleMicros());
      // arrived while their conversation had no agent, and no agent had them by the end
      visible.put("still_waiting", agents.waitingForAgent());
      a.put("webhook_to_agent_visible", visible);
      a.put("webhook_to_supervisor_visible", latency(agents.supervisorVisibleMicros()));
      a.put("queued_to_assigned", latency(agents.assignmentMicros()));
      a.put("queued_to_decided", latency(agents.decisionMicros()));
      // calls sent again to the next node, streams resumed on it (a node gone or stopping)
      a.put("api_retries", agents.apiRetries());
      a.put("stream_reconnects", agents.streamReconnects());
      if (replies != null) {
        a.put(
            "replies_checked",
            Map.of(
                "acknowledged", replies.acknowledged(),
                "lost", replies.lost(),
                "duplicated", replies.duplicated()));
      }
      out.put("agents", a);
    }
    try {
      return Json.MAPPER.writeValueAsString(out);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A latency measure: its count and percentiles. */
  private static Map<String, Object> latency(Histogram h) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("count", h.getTotalCount());
    percentiles(out, h);
    return out;
  }

  private static void percentiles(Map<String, Object> out, Histogram h) {
    for (double p : new double[] {50, 90, 99, 99.9}) {
      out.put(
          "p" + (p == 99.9 ? "999" : Integer.toString((int) p)) + "_ms",
          h.getValueAtPercentile(p) / 1000.0);
    }
    out.put("max_ms", h.getMaxValue() / 1000.0);
  }

  private static int verify(Map<String, String> o, String url) throws Exception {
    if (!o.containsKey("acked")) {
      throw new IllegalArgumentException(
          "verify needs --acked FILE (acked.json of a replay or ingest run with --out)");
    }
    Map<String, String> acked = new LinkedHashMap<>();
    Json.MAPPER
        .readTree(Path.of(o.get("acked")).toFile())
        .fields()
        .forEachRemaining(e -> acked.put(e.getKey(), e.getValue().asText()));
    var check =
        new StoredOnce(
            new StoredOnce.Options(
                url.split(",")[0],
                o.getOrDefault("workspace", "demo"),
                o.getOrDefault("token", "demo-supervisor-token"),
                Duration.ofSeconds(Long.parseLong(o.getOrDefault("settle", "60")))));
    var result = check.check(acked);
    System.out.println(StoredOnce.summary(result));
    return result.lost().isEmpty() && result.duplicated().isEmpty() ? 0 : 1;
  }
}

package io.omnirouter.loadtest.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.support.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The markdown summary of one {@code scripts/bench.sh} run directory: the ceilings, B1–B6 against
 * their goals, from the files the run wrote (a missing file shows as "not run").
 */
public final class BenchSummary {
  private final Path dir;

  public BenchSummary(Path dir) {
    this.dir = dir;
  }

  /** B1's rate (highest clean step), or the lowest step if none was clean; for the storm's 10×. */
  public double b1Rate() throws IOException {
    JsonNode b1 = read("b1/summary.json");
    if (b1 == null) {
      throw new IOException("no b1/summary.json in " + dir);
    }
    return b1.path("highest_clean_rate").isNumber()
        ? b1.path("highest_clean_rate").asDouble()
        : b1.path("steps").get(0).path("target_rate").asDouble();
  }

  public String markdown() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("## Run ").append(dir.getFileName()).append("\n\n");
    String machine = text("machine.txt");
    if (machine != null) {
      md.append("```\n").append(machine.strip()).append("\n```\n\n");
    }
    JsonNode journal = read("journal.json");
    JsonNode tagged = read("journal-tagged.json");
    JsonNode bare = read("bare/summary.json");
    JsonNode b1 = read("b1/summary.json");
    md.append(
        "### Ceilings\n\n| what | rate/s | p50 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|---|\n");
    steps(md, "bare `GET /health`", bare);
    steps(md, "raw journal persists", journal);
    steps(md, "raw journal, tagged", tagged);
    md.append("\nHighest step kept *clean* (every request answered, p99 ≤ 100 ms) and *sustained*")
        .append(
            " (every request answered, p99 ≤ 1 s):\n\n| run | clean | sustained |\n|---|---|---|\n");
    for (var e :
        java.util.List.of(
            java.util.Map.entry("bare route", java.util.Optional.ofNullable(bare)),
            java.util.Map.entry("raw journal", java.util.Optional.ofNullable(journal)),
            java.util.Map.entry("raw journal, tagged", java.util.Optional.ofNullable(tagged)),
            java.util.Map.entry("B1 webhooks", java.util.Optional.ofNullable(b1)))) {
      JsonNode run = e.getValue().orElse(null);
      md.append("| ")
          .append(e.getKey())
          .append(" | ")
          .append(rate(run, "highest_clean_rate"))
          .append(" | ")
          .append(rate(run, "highest_sustained_rate"))
          .append(" |\n");
    }
    md.append("\n### B1 durable ingest (p99 ≤ 100 ms, no errors)\n\n")
        .append("| rate/s | p50 ms | p99 ms | max ms | errors |\n|---|---|---|---|---|\n");
    if (b1 != null) {
      for (JsonNode s : b1.path("steps")) {
        md.append(row(s.path("target_rate").asDouble(), s, s.path("errors").asLong()));
      }
    }
    Double b1Rate = clean(b1);
    Double journalRate = clean(journal) != null ? clean(journal) : sustained(journal);
    Double bareRate = clean(bare) != null ? clean(bare) : sustained(bare);
    md.append("\nB1 = **")
        .append(b1Rate == null ? "none of the steps" : fmt(b1Rate) + " messages/s")
        .append("** (goal ≥ 2,000/s); ratio to the raw-journal ceiling (clean, else sustained: ")
        .append(journalRate == null ? "—" : fmt(journalRate) + "/s")
        .append("): ")
        .append(ratio(b1Rate, journalRate))
        .append(" (goal ≥ 0.6); to the bare route (clean, else sustained: ")
        .append(bareRate == null ? "—" : fmt(bareRate) + "/s")
        .append("): ")
        .append(ratio(b1Rate, bareRate))
        .append(".\n");
    JsonNode b23 = read("b23/summary.json");
    md.append("\n### B2 webhook → agent visible, B3 assignment latency\n\n");
    if (b23 == null) {
      md.append("not run\n");
    } else {
      JsonNode a = b23.path("agents");
      md.append("At ")
          .append(fmt(b23.path("steps").get(0).path("target_rate").asDouble()))
          .append(" messages/s with ")
          .append(a.path("streams_open_at_end").asLong() - 1)
          .append(" agents on the live stream (")
          .append(a.path("assigned").asLong())
          .append(" assignments, ")
          .append(a.path("replies").asLong())
          .append(" replies, ")
          .append(a.path("reply_failures").asLong())
          .append(
              " failed):\n\n| measure | count | p50 ms | p99 ms | max ms | goal |\n|---|---|---|---|---|---|\n");
      latency(md, "B2 webhook → agent visible", a.path("webhook_to_agent_visible"), "p99 ≤ 250 ms");
      latency(md, "webhook → supervisor visible", a.path("webhook_to_supervisor_visible"), "");
      latency(md, "B3 queued → its agent has it", a.path("queued_to_assigned"), "p99 ≤ 50 ms");
      latency(md, "queued → router's choice (router's clock)", a.path("queued_to_decided"), "");
    }
    JsonNode b4 = read("b4/summary.json");
    JsonNode verify = read("b4/verify.json");
    String rss = text("b4/rss.txt");
    md.append("\n### B4 retry storm (10× B1 for 60 s, 30 % redeliveries)\n\n");
    if (b4 == null) {
      md.append("not run\n");
    } else {
      md.append("Sent ")
          .append(b4.path("sent").asLong())
          .append(" at ")
          .append(fmt(b4.path("steps").get(0).path("target_rate").asDouble()))
          .append("/s: statuses ")
          .append(b4.path("statuses"))
          .append(" (-1: no answer within the client's timeout); ");
      if (verify != null && !verify.has("acknowledged")) {
        md.append("**verification did not complete** (see the run's log); ");
      } else if (verify != null) {
        md.append("verified: ")
            .append(verify.path("acknowledged").asLong())
            .append(" acknowledged, **")
            .append(verify.path("lost").asLong())
            .append(" lost, ")
            .append(verify.path("duplicated").asLong())
            .append(" duplicated**; ");
      }
      md.append("router peak RSS ").append(rss == null ? "—" : rss.strip()).append(".\n");
    }
    JsonNode b6 = read("b6.json");
    md.append("\n### B6 heap per idle conversation entity\n\n");
    md.append(
        b6 == null || !b6.has("bytes_per_entity")
            ? "not run, or did not complete (see the run's log)\n"
            : b6.path("bytes_per_entity").asLong()
                + " bytes per entity with "
                + b6.path("entities").asLong()
                + " of them (goal ≤ 1 KB).\n");
    return md.toString();
  }

  private static void steps(StringBuilder md, String what, JsonNode run) {
    if (run == null) {
      md.append("| ").append(what).append(" | not run | | | | |\n");
      return;
    }
    for (JsonNode s : run.path("steps")) {
      md.append("| ")
          .append(what)
          .append(" ")
          .append(row(s.path("target_rate").asDouble(), s, s.path("errors").asLong()));
    }
  }

  private static String row(double rate, JsonNode s, long errors) {
    return "| "
        + fmt(rate)
        + " | "
        + s.path("p50_ms").asDouble()
        + " | "
        + s.path("p99_ms").asDouble()
        + " | "
        + s.path("max_ms").asDouble()
        + " | "
        + errors
        + " |\n";
  }

  private static void latency(StringBuilder md, String what, JsonNode h, String goal) {
    md.append("| ")
        .append(what)
        .append(" | ")
        .append(h.path("count").asLong())
        .append(" | ")
        .append(h.path("p50_ms").asDouble())
        .append(" | ")
        .append(h.path("p99_ms").asDouble())
        .append(" | ")
        .append(h.path("max_ms").asDouble())
        .append(" | ")
        .append(goal)
        .append(" |\n");
  }

  private static String rate(JsonNode run, String field) {
    return run == null || !run.path(field).isNumber()
        ? "—"
        : fmt(run.path(field).asDouble()) + "/s";
  }

  private static Double clean(JsonNode run) {
    return run == null || !run.path("highest_clean_rate").isNumber()
        ? null
        : run.path("highest_clean_rate").asDouble();
  }

  private static Double sustained(JsonNode run) {
    return run == null || !run.path("highest_sustained_rate").isNumber()
        ? null
        : run.path("highest_sustained_rate").asDouble();
  }

  private static String ratio(Double a, Double b) {
    return a == null || b == null || b == 0 ? "—" : String.format(Locale.ROOT, "%.2f", a / b);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private JsonNode read(String file) throws IOException {
    Path p = dir.resolve(file);
    return Files.exists(p) ? Json.MAPPER.readTree(lastJsonLine(p)) : null;
  }

  /** The file's last line that is a JSON object (tools print progress before their summary). */
  private static String lastJsonLine(Path p) throws IOException {
    String last = "{}";
    for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
      if (line.startsWith("{")) {
        last = line;
      }
    }
    return last;
  }

  private String text(String file) throws IOException {
    Path p = dir.resolve(file);
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
  }
}

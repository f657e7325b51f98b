package io.omnirouter.loadtest.report;

import io.omnirouter.loadtest.replay.Replay;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A self-contained HTML page for a run: the summary, a latency-by-percentile plot per rate step
 * (the x axis stretches the tail: 90 %, 99 %, 99.9 % … are evenly spaced, as in HdrHistogram's
 * plots), and a per-second timeline of answers and worst latency. Inline SVG, no scripts.
 */
public final class HtmlReport {
  private static final String[] COLORS = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"
  };
  private static final int W = 760;
  private static final int H = 320;
  private static final int PAD = 50;

  private HtmlReport() {}

  public static String render(String title, String summaryJson, Replay.Result r) {
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
        .append(escape(title))
        .append("</title><style>body{font:14px sans-serif;margin:2em;max-width:")
        .append(W + 40)
        .append("px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;")
        .append("text-align:right}pre{white-space:pre-wrap;background:#f6f6f6;padding:8px}")
        .append("</style></head><body><h1>")
        .append(escape(title))
        .append("</h1>");
    html.append("<table><tr><th>target rate/s</th><th>sent</th><th>2xx</th><th>other</th>")
        .append("<th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>statuses</th>")
        .append("</tr>");
    for (Replay.StepResult s : r.steps()) {
      Histogram h = s.latencyMicros();
      html.append("<tr><td>")
          .append(fmt(s.targetRate()))
          .append("</td><td>")
          .append(s.sent())
          .append("</td><td>")
          .append(s.ok())
          .append("</td><td>")
          .append(s.errors())
          .append("</td><td>")
          .append(ms(h.getValueAtPercentile(50)))
          .append("</td><td>")
          .append(ms(h.getValueAtPercentile(99)))
          .append("</td><td>")
          .append(ms(h.getValueAtPercentile(99.9)))
          .append("</td><td>")
          .append(ms(h.getMaxValue()))
          .append("</td><td>")
          .append(escape(s.statuses().toString()))
          .append("</td></tr>");
    }
    html.append("</table><h2>Latency by percentile (from the intended send time)</h2>");
    html.append(percentilePlot(r.steps()));
    html.append("<h2>Per second: answers (2xx green, other red) and worst latency (line)</h2>");
    html.append(timelinePlot(r.timeline()));
    html.append("<h2>Summary</h2><pre>").append(escape(summaryJson)).append("</pre>");
    html.append("</body></html>\n");
    return html.toString();
  }

  /** x = log10(1 / (1 - p)): 0 at p0, 1 at p90, 2 at p99, 3 at p99.9, 4 at p99.99. */
  static String percentilePlot(List<Replay.StepResult> steps) {
    double maxMs = 1;
    for (Replay.StepResult s : steps) {
      maxMs = Math.max(maxMs, s.latencyMicros().getMaxValue() / 1000.0);
    }
    double yMax = niceCeiling(maxMs);
    StringBuilder svg = frame();
    for (int tick = 0; tick <= 4; tick++) {
      double x = PAD + tick * (W - 2 * PAD) / 4.0;
      String label = new String[] {"0%", "90%", "99%", "99.9%", "99.99%"}[tick];
      svg.append(line(x, H - PAD, x, PAD, "#eee")).append(text(x, H - PAD + 16, label, "middle"));
    }
    yAxis(svg, yMax, "ms");
    int i = 0;
    for (Replay.StepResult s : steps) {
      Histogram h = s.latencyMicros();
      if (h.getTotalCount() == 0) {
        continue;
      }
      List<String> points = new ArrayList<>();
      for (double x = 0; x <= 4.0001; x += 0.05) {
        double p = 100 * (1 - Math.pow(10, -x));
        double ms = h.getValueAtPercentile(Math.min(p, 100)) / 1000.0;
        points.add(px(PAD + x * (W - 2 * PAD) / 4) + "," + px(y(ms, yMax)));
      }
      String color = COLORS[i % COLORS.length];
      svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
          .append(color)
          .append("\" points=\"")
          .append(String.join(" ", points))
          .append("\"/>")
          .append(text(PAD + 10, PAD + 16 + 16 * i, fmt(s.targetRate()) + "/s", "start", color));
      i++;
    }
    return svg.append("</svg>").toString();
  }

  static String timelinePlot(Map<Long, Replay.Second> timeline) {
    long seconds =
        timeline.isEmpty() ? 1 : timeline.keySet().stream().mapToLong(l -> l).max().getAsLong() + 1;
    long maxCount = 1;
    long maxLatency = 1;
    for (Replay.Second s : timeline.values()) {
      maxCount =
          Math.max(maxCount, s.statuses().values().stream().mapToLong(Long::longValue).sum());
      maxLatency = Math.max(maxLatency, s.maxLatencyMillis());
    }
    double yMax = niceCeiling(maxCount);
    double latencyMax = niceCeiling(maxLatency);
    StringBuilder svg = frame();
    yAxis(svg, yMax, "/s");
    svg.append(text(W - PAD + 4, PAD - 8, fmt(latencyMax) + " ms", "start"));
    double barW = (W - 2.0 * PAD) / seconds;
    List<String> worst = new ArrayList<>();
    for (var e : timeline.entrySet()) {
      long ok = 0;
      long bad = 0;
      for (var st : e.getValue().statuses().entrySet()) {
        if (st.getKey() >= 200 && st.getKey() < 300) {
          ok += st.getValue();
        } else {
          bad += st.getValue();
        }
      }
      double x = PAD + e.getKey() * barW;
      double yOk = y(ok, yMax);
      double yBad = y(ok + bad, yMax);
      svg.append(rect(x, yOk, barW, H - PAD - yOk, "#8fd18f"));
      if (bad > 0) {
        svg.append(rect(x, yBad, barW, yOk - yBad, "#e57373"));
      }
      worst.add(px(x + barW / 2) + "," + px(y(e.getValue().maxLatencyMillis(), latencyMax)));
    }
    svg.append("<polyline fill=\"none\" stroke=\"#333\" points=\"")
        .append(String.join(" ", worst))
        .append("\"/>")
        .append(
            text(W / 2.0, H - PAD + 32, "seconds into the run (0 – " + seconds + ")", "middle"));
    return svg.append("</svg>").toString();
  }

  private static StringBuilder frame() {
    return new StringBuilder()
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H)
        .append("\" font-size=\"11\">")
        .append(line(PAD, H - PAD, W - PAD, H - PAD, "#000"))
        .append(line(PAD, H - PAD, PAD, PAD, "#000"));
  }

  private static void yAxis(StringBuilder svg, double yMax, String unit) {
    for (int tick = 0; tick <= 4; tick++) {
      double v = yMax * tick / 4;
      double y = y(v, yMax);
      svg.append(line(PAD, y, W - PAD, y, "#eee"))
          .append(text(PAD - 4, y + 4, fmt(v) + (tick == 4 ? " " + unit : ""), "end"));
    }
  }

  private static double y(double v, double yMax) {
    return H - PAD - Math.min(v, yMax) / yMax * (H - 2 * PAD);
  }

  private static double niceCeiling(double v) {
    double pow = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1e-9))));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * pow >= v) {
        return m * pow;
      }
    }
    return 10 * pow;
  }

  private static String line(double x1, double y1, double x2, double y2, String color) {
    return element("line", null, "x1", x1, "y1", y1, "x2", x2, "y2", y2, "stroke", color);
  }

  private static String rect(double x, double y, double w, double h, String color) {
    return element(
        "rect",
        null,
        "x",
        x,
        "y",
        y,
        "width",
        Math.max(w, 0.5),
        "height",
        Math.max(h, 0),
        "fill",
        color);
  }

  private static String text(double x, double y, String s, String anchor) {
    return text(x, y, s, anchor, "#000");
  }

  private static String text(double x, double y, String s, String anchor, String color) {
    return element("text", s, "x", x, "y", y, "text-anchor", anchor, "fill", color);
  }

  /** An SVG element; {@code attributes} are name, value pairs (numbers to one decimal). */
  private static String element(String name, String text, Object... attributes) {
    StringBuilder e = new StringBuilder("<").append(name);
    for (int i = 0; i < attributes.length; i += 2) {
      Object v = attributes[i + 1];
      e.append(' ')
          .append(attributes[i])
          .append("=\"")
          .append(v instanceof Double d ? px(d) : escape(String.valueOf(v)))
          .append('"');
    }
    return text == null
        ? e.append("/>").toString()
        : e.append('>').append(escape(text)).append("</").append(name).append('>').toString();
  }

  private static String px(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}

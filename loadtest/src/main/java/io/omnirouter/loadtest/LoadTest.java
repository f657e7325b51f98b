package io.omnirouter.loadtest;

import io.omnirouter.loadtest.ingest.OpenModelIngest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code ./omnirouter loadtest ingest [--rate 500] [--duration 20] [--contacts 1000] [--url
 * http://127.0.0.1:8080] [--account demo-wa] [--secret demo-app-secret]} — prints progress, then a
 * JSON summary line.
 */
public final class LoadTest {
  private LoadTest() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !"ingest".equals(args[0])) {
      System.err.println(
          "usage: loadtest ingest [--rate N/s] [--duration seconds] [--contacts N] [--url URL] [--account A] [--secret S]");
      System.exit(2);
    }
    Map<String, String> o = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    var options =
        new OpenModelIngest.Options(
            o.getOrDefault("url", "http://127.0.0.1:8080"),
            o.getOrDefault("account", "demo-wa"),
            o.getOrDefault("secret", "demo-app-secret"),
            Integer.parseInt(o.getOrDefault("rate", "500")),
            Duration.ofSeconds(Long.parseLong(o.getOrDefault("duration", "20"))),
            Integer.parseInt(o.getOrDefault("contacts", "1000")),
            Duration.ofSeconds(Long.parseLong(o.getOrDefault("timeout", "10"))));
    System.err.printf(
        java.util.Locale.ROOT,
        "ingest: %d webhooks/s for %ds to %s (open model)%n",
        options.rate(),
        options.duration().toSeconds(),
        options.baseUrl());
    var result = OpenModelIngest.run(options);
    System.out.println(OpenModelIngest.summary(options, result));
    System.exit(0);
  }
}

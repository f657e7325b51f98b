package io.omnirouter.persistence.cassandra;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code start | stop | status} for a detached embedded Cassandra; used by {@code ./omnirouter}.
 * Options: {@code --base-dir var --yaml conf/cassandra.yaml --cql-port 9042 --storage-port 7000
 * --jmx-port 7199 --heap 1G}.
 */
public final class EmbeddedCassandraCli {
  private EmbeddedCassandraCli() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
      System.exit(2);
    }
    Map<String, String> opts = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        usage();
        System.exit(2);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    var defaults =
        EmbeddedCassandra.Options.defaults(
            Path.of(opts.getOrDefault("base-dir", "var")).toAbsolutePath(),
            Path.of(opts.getOrDefault("yaml", "conf/cassandra.yaml")).toAbsolutePath());
    var options =
        new EmbeddedCassandra.Options(
            defaults.baseDir(),
            defaults.yamlTemplate(),
            defaults.host(),
            Integer.parseInt(opts.getOrDefault("cql-port", "9042")),
            Integer.parseInt(opts.getOrDefault("storage-port", "7000")),
            Integer.parseInt(opts.getOrDefault("jmx-port", "7199")),
            opts.getOrDefault("heap", "1G"),
            defaults.startTimeout(),
            false);
    switch (args[0]) {
      case "start" -> {
        EmbeddedCassandra c = EmbeddedCassandra.start(options);
        System.out.println(
            c.owned()
                ? "cassandra started, pid "
                    + c.pid().orElseThrow()
                    + ", cql 127.0.0.1:"
                    + options.cqlPort()
                : "cassandra already running on 127.0.0.1:"
                    + options.cqlPort()
                    + " (not started by us)");
      }
      case "stop" ->
          System.out.println(
              EmbeddedCassandra.stopByPidFile(options)
                  ? "cassandra stopped"
                  : "cassandra was not running");
      case "status" -> {
        var running = EmbeddedCassandra.runningFromPidFile(options);
        boolean listening = EmbeddedCassandra.isListening(options.host(), options.cqlPort());
        System.out.println(
            running
                    .map(h -> "cassandra running, pid " + h.pid())
                    .orElse("cassandra not started by us")
                + (listening ? ", cql answering on " : ", nothing on ")
                + "127.0.0.1:"
                + options.cqlPort());
        System.exit(running.isPresent() || listening ? 0 : 3);
      }
      default -> {
        usage();
        System.exit(2);
      }
    }
  }

  private static void usage() {
    System.err.println(
        "usage: EmbeddedCassandraCli start|stop|status [--base-dir DIR] [--yaml FILE]"
            + " [--cql-port N] [--storage-port N] [--jmx-port N] [--heap 1G]");
  }
}

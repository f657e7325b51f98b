package io.omnirouter.server.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Recorder;

/**
 * One rate step of an in-process benchmark in the open model: call {@code i} goes out at its
 * intended time whether or not earlier ones finished, and its latency is measured from that time
 * (no coordinated omission).
 */
final class OpenModel {
  private OpenModel() {}

  /**
   * {@code --name value} pairs, each name one of {@code known} (besides {@code config} and {@code
   * set}, which {@link #config} reads); a misspelt option or one without its value stops the bench
   * before it starts anything, so a long run never measures a setting nobody asked for.
   */
  static Map<String, String> options(String[] args, String... known) {
    java.util.Set<String> names = new java.util.HashSet<>(java.util.List.of(known));
    names.add("config");
    names.add("set");
    Map<String, String> o = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i].replaceFirst("^--", "");
      if (!args[i].startsWith("--") || !names.contains(name)) {
        stop(
            "unknown option "
                + args[i]
                + "; known: --"
                + String.join(", --", new java.util.TreeSet<>(names)));
      }
      if (i + 1 == args.length) {
        stop("option " + args[i] + " needs a value");
      }
      o.put(name, args[i + 1]);
    }
    return o;
  }

  private static void stop(String problem) {
    System.err.println("bench: " + problem);
    System.exit(2);
  }

  /**
   * The router's configuration ({@code --config}, default conf/application.conf) under {@code
   * benchSettings}, under {@code --set 'hocon'} (an A/B's one changed setting).
   */
  static com.typesafe.config.Config config(Map<String, String> o, String benchSettings) {
    return com.typesafe.config.ConfigFactory.parseString(o.getOrDefault("set", ""))
        .withFallback(com.typesafe.config.ConfigFactory.parseString(benchSettings))
        .withFallback(
            io.omnirouter.server.Main.loadConfig(
                new String[] {o.getOrDefault("config", "conf/application.conf")}));
  }

  /** {@code --steps 50,100,200}: the rates, in order. */
  static java.util.List<Integer> steps(Map<String, String> o, String defaults) {
    java.util.List<Integer> steps = new java.util.ArrayList<>();
    for (String s : o.getOrDefault("steps", defaults).split(",")) {
      steps.add(Integer.parseInt(s.trim()));
    }
    return steps;
  }

  /** Sends call {@code i}, due at {@code dueNanos} ({@link System#nanoTime()}). */
  @FunctionalInterface
  interface Call {
    CompletionStage<?> send(long i, long dueNanos);
  }

  /**
   * {@code rate} calls a second for {@code seconds}; {@code label} names the step in the result.
   */
  static Map<String, Object> step(int rate, int seconds, Integer label, Call call)
      throws InterruptedException {
    Recorder recorder = new Recorder(3_600_000_000L, 3);
    long total = (long) rate * seconds;
    CountDownLatch done = new CountDownLatch((int) total);
    AtomicLong errors = new AtomicLong();
    long interval = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      call.send(i, due)
          .whenComplete(
              (d, e) -> {
                if (e != null) {
                  errors.incrementAndGet();
                }
                recordSince(recorder, due);
                done.countDown();
              });
    }
    done.await(40, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("target_rate", label);
    r.put("sent", total);
    r.put("errors", errors.get());
    r.put("achieved_rate", Math.round((total - errors.get()) / elapsed));
    r.putAll(percentiles("", recorder.getIntervalHistogram()));
    return r;
  }

  /** Records the microseconds since {@code dueNanos} ({@link System#nanoTime()}), up to an hour. */
  static void recordSince(Recorder recorder, long dueNanos) {
    recorder.recordValue(
        Math.min(3_600_000_000L, Math.max(1, (System.nanoTime() - dueNanos) / 1000)));
  }

  /** p50/p90/p99/max in ms of a histogram of microseconds, each key prefixed. */
  static Map<String, Object> percentiles(String prefix, org.HdrHistogram.Histogram h) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put(prefix + "p50_ms", h.getValueAtPercentile(50) / 1000.0);
    r.put(prefix + "p90_ms", h.getValueAtPercentile(90) / 1000.0);
    r.put(prefix + "p99_ms", h.getValueAtPercentile(99) / 1000.0);
    r.put(prefix + "max_ms", h.getMaxValue() / 1000.0);
    return r;
  }
}

package io.omnirouter.loadtest.replay;

import com.typesafe.config.ConfigFactory;
import io.omnirouter.loadtest.capture.CaptureLine;
import io.omnirouter.loadtest.capture.Signer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Sends a capture to a router in an open model: every request has an intended send time from the
 * schedule (as recorded at a speed factor, at a fixed rate, or in rate steps) and goes out then,
 * whether or not earlier ones have answered; its latency is measured from that intended time, so a
 * stall shows in the percentiles instead of slowing the load down (no coordinated omission).
 * Requests are signed at send time for the target. The client is Pekko HTTP with a bounded pool of
 * keep-alive connections per node (requests beyond it wait in the pool, and that wait counts).
 * Several nodes: round robin, and like a load balancer, a request that could not be delivered to a
 * node (connection refused or reset) goes to the next. Load goes to 127.0.0.1 only; every run is
 * bounded in time.
 */
public final class Replay {

  public enum Mode {
    RECORDED,
    RATE,
    STEPS
  }

  /**
   * @param urls the router nodes' base URLs
   * @param speed RECORDED: capture time / speed
   * @param rate RATE: requests per second, in capture order
   * @param steps STEPS: the rates, each held {@code stepSeconds}
   * @param maxSeconds nothing is scheduled after this
   * @param probePath if set, {@code GET} this path on schedule instead of the capture's webhooks (a
   *     bare route's ceiling with the same client)
   */
  public record Options(
      List<String> urls,
      Mode mode,
      double speed,
      int rate,
      List<Integer> steps,
      int stepSeconds,
      int maxSeconds,
      Duration timeout,
      int connections,
      String probePath) {}

  /** One planned request: when (nanoseconds from the start), which line, which step. */
  record Planned(long due, CaptureLine line, int step) {}

  /** What the requests planned in one second got: statuses (-1: no answer) and worst latency. */
  public record Second(Map<Integer, Long> statuses, long maxLatencyMillis) {}

  /** One rate step (RATE and RECORDED runs have one). */
  public record StepResult(
      double targetRate,
      long sent,
      long ok,
      long errors,
      Map<Integer, Long> statuses,
      Histogram latencyMicros) {}

  public record Result(
      long sent,
      long ok,
      long errors,
      Map<Integer, Long> statuses,
      Histogram latencyMicros,
      double achievedRate,
      Map<String, String> acknowledged,
      Map<Long, Second> timeline,
      List<StepResult> steps) {}

  private Replay() {}

  /** The schedule: which lines go out when. */
  static List<Planned> plan(List<CaptureLine> lines, Options o) {
    List<Planned> plan = new ArrayList<>();
    long max = o.maxSeconds() * 1_000_000_000L;
    switch (o.mode()) {
      case RECORDED -> {
        for (CaptureLine line : lines) {
          long due = (long) (line.t() * 1_000_000 / o.speed());
          if (due >= max) {
            break;
          }
          plan.add(new Planned(due, line, 0));
        }
      }
      case RATE -> {
        for (int i = 0; i < lines.size(); i++) {
          long due = i * 1_000_000_000L / o.rate();
          if (due >= max) {
            break;
          }
          plan.add(new Planned(due, lines.get(i), 0));
        }
      }
      case STEPS -> {
        int next = 0;
        long stepStart = 0;
        for (int s = 0; s < o.steps().size() && next < lines.size(); s++) {
          int rate = o.steps().get(s);
          long count = (long) rate * o.stepSeconds();
          for (long i = 0; i < count && next < lines.size(); i++) {
            long due = stepStart + i * 1_000_000_000L / rate;
            if (due >= max) {
              return plan;
            }
            plan.add(new Planned(due, lines.get(next++), s));
          }
          stepStart += o.stepSeconds() * 1_000_000_000L;
        }
      }
    }
    return plan;
  }

  public static Result run(List<CaptureLine> lines, Signer signer, Options o)
      throws InterruptedException {
    return run(lines, signer, o, (line, due) -> {});
  }

  /** Told each line and its intended send time (System.nanoTime) as it goes out. */
  public interface SendListener {
    void sending(CaptureLine line, long dueNanos);
  }

  public static Result run(List<CaptureLine> lines, Signer signer, Options o, SendListener listener)
      throws InterruptedException {
    List<URI> bases = new ArrayList<>();
    for (String base : o.urls()) {
      URI uri = URI.create(base.trim());
      if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
        throw new IllegalArgumentException("load goes to 127.0.0.1 only, not " + uri.getHost());
      }
      bases.add(uri);
    }
    if (o.probePath() == null) {
      signer.check(lines);
    }
    List<Planned> plan = plan(lines, o);
    int stepCount = o.mode() == Mode.STEPS ? o.steps().size() : 1;
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "loadtest",
            ConfigFactory.parseString(
                    "pekko.http.host-connection-pool { max-connections = "
                        + o.connections()
                        + ", max-open-requests = 65536, max-retries = 0,"
                        // a node that went away: retry its connections soon (the default backs
                        // off to 2 min, holding requests in the pool until they time out instead
                        // of failing over to the next node like a load balancer)
                        + " base-connection-backoff = 50ms, max-connection-backoff = 500ms }\n"
                        + "pekko.http.client.idle-timeout = "
                        + (o.timeout().toSeconds() + 5)
                        + "s\n"
                        + "pekko.loglevel = WARNING\npekko.log-dead-letters = off\n")
                .withFallback(ConfigFactory.load()));
    Http http = Http.get(system);
    warmUp(http, system, bases, Math.min(o.connections(), 16));
    Recorder recorder = new Recorder(3_600_000_000L, 3);
    Histogram total = new Histogram(3_600_000_000L, 3);
    List<Recorder> stepRecorders = new ArrayList<>();
    List<Map<Integer, Long>> stepStatuses = new ArrayList<>();
    for (int s = 0; s < stepCount; s++) {
      stepRecorders.add(new Recorder(3_600_000_000L, 3));
      stepStatuses.add(new ConcurrentHashMap<>());
    }
    CountDownLatch done = new CountDownLatch(plan.size());
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    Map<Integer, Long> statuses = new ConcurrentHashMap<>();
    Map<String, String> acked = new ConcurrentHashMap<>();
    Map<Long, Map<Integer, Long>> perSecond = new ConcurrentHashMap<>();
    Map<Long, Long> worstPerSecond = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
    progress.scheduleAtFixedRate(
        () -> {
          Histogram last = recorder.getIntervalHistogram();
          synchronized (total) {
            total.add(last);
          }
          System.err.printf(
              Locale.ROOT,
              "  %3ds  %d/%d answered  %d ok  %d errors  last 5 s: p50 %.1f ms  p99 %.1f ms%n",
              (System.nanoTime() - start) / 1_000_000_000L,
              plan.size() - done.getCount(),
              plan.size(),
              ok.get(),
              errors.get(),
              last.getValueAtPercentile(50) / 1000.0,
              last.getValueAtPercentile(99) / 1000.0);
        },
        5,
        5,
        TimeUnit.SECONDS);
    try {
      long i = 0;
      for (Planned p : plan) {
        long due = start + p.due();
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        int first = (int) (i++ % bases.size());
        listener.sending(p.line(), due);
        send(http, system, p.line(), signer, o, bases, first, 0)
            .whenComplete(
                (status, e) -> {
                  int code = e == null ? status : -1;
                  long latency = Math.max(1, (System.nanoTime() - due) / 1000);
                  recorder.recordValue(Math.min(latency, 3_600_000_000L));
                  stepRecorders.get(p.step()).recordValue(Math.min(latency, 3_600_000_000L));
                  stepStatuses.get(p.step()).merge(code, 1L, Long::sum);
                  long second = p.due() / 1_000_000_000L;
                  perSecond
                      .computeIfAbsent(second, x -> new ConcurrentHashMap<>())
                      .merge(code, 1L, Long::sum);
                  worstPerSecond.merge(second, latency / 1000, Math::max);
                  if (code >= 200 && code < 300) {
                    ok.incrementAndGet();
                    if (o.probePath() == null && p.line().carriesMessage()) {
                      acked.put(p.line().id(), p.line().contact());
                    }
                  } else {
                    errors.incrementAndGet();
                  }
                  statuses.merge(code, 1L, Long::sum);
                  done.countDown();
                });
      }
      done.await(o.timeout().toSeconds() + 30, TimeUnit.SECONDS);
    } finally {
      progress.shutdownNow();
      http.shutdownAllConnectionPools();
      system.terminate();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    total.add(recorder.getIntervalHistogram());
    List<StepResult> steps = new ArrayList<>();
    for (int s = 0; s < stepCount; s++) {
      Map<Integer, Long> st = new TreeMap<>(stepStatuses.get(s));
      long stepOk =
          st.entrySet().stream()
              .filter(e -> e.getKey() >= 200 && e.getKey() < 300)
              .mapToLong(Map.Entry::getValue)
              .sum();
      long stepSent = st.values().stream().mapToLong(Long::longValue).sum();
      steps.add(
          new StepResult(
              o.mode() == Mode.STEPS
                  ? o.steps().get(s)
                  : o.mode() == Mode.RATE ? o.rate() : plan.size() / Math.max(1e-9, seconds),
              stepSent,
              stepOk,
              stepSent - stepOk,
              st,
              stepRecorders.get(s).getIntervalHistogram()));
    }
    return new Result(
        plan.size(),
        ok.get(),
        errors.get(),
        new TreeMap<>(statuses),
        total,
        ok.get() / seconds,
        Map.copyOf(acked),
        timeline(perSecond, worstPerSecond),
        steps);
  }

  /**
   * Opens the pool's first connections (and has the client's code loaded) before the clock starts,
   * so the first second measures the router, not the client's start; fails if no node answers.
   */
  private static void warmUp(Http http, ActorSystem<?> system, List<URI> bases, int n) {
    int up = 0;
    for (URI base : bases) {
      List<CompletableFuture<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        calls.add(
            http.singleRequest(HttpRequest.GET(base + "/health"))
                .thenApply(
                    r -> {
                      r.discardEntityBytes(system);
                      return r.status().intValue();
                    })
                .toCompletableFuture()
                .completeOnTimeout(-1, 30, TimeUnit.SECONDS)
                .exceptionally(e -> -1));
      }
      boolean answered = false;
      for (CompletableFuture<Integer> c : calls) {
        try {
          answered |= c.get(31, TimeUnit.SECONDS) == 200;
        } catch (Exception e) {
          // counted as not answering
        }
      }
      if (answered) {
        up++;
      } else {
        System.err.println("warning: " + base + "/health does not answer 200");
      }
    }
    if (up == 0) {
      throw new IllegalStateException("no router answers at " + bases);
    }
  }

  private static Map<Long, Second> timeline(
      Map<Long, Map<Integer, Long>> statuses, Map<Long, Long> worst) {
    Map<Long, Second> out = new TreeMap<>();
    statuses.forEach((s, m) -> out.put(s, new Second(new TreeMap<>(m), worst.getOrDefault(s, 0L))));
    return out;
  }

  /**
   * Sends the line to node {@code (first + attempt)}; a request that could not be delivered
   * (connection refused or closed before an answer) goes to the next node, at most one attempt per
   * node. Safe for webhooks: a message delivered twice is stored once. Completes with the status.
   */
  private static CompletionStage<Integer> send(
      Http http,
      ActorSystem<?> system,
      CaptureLine line,
      Signer signer,
      Options o,
      List<URI> bases,
      int first,
      int attempt) {
    URI base = bases.get((first + attempt) % bases.size());
    HttpRequest request;
    if (o.probePath() != null) {
      request = HttpRequest.GET(base + o.probePath());
    } else {
      String url = base + line.path();
      List<HttpHeader> headers = new ArrayList<>();
      ContentType contentType = ContentTypes.APPLICATION_JSON;
      for (var h : signer.headers(line, url).entrySet()) {
        if ("content-type".equalsIgnoreCase(h.getKey())) {
          contentType =
              h.getValue().startsWith("application/x-www-form-urlencoded")
                  ? ContentTypes.APPLICATION_X_WWW_FORM_URLENCODED
                  : org.apache.pekko.http.javadsl.model.ContentTypes.parse(h.getValue());
        } else {
          headers.add(HttpHeader.parse(h.getKey(), h.getValue()));
        }
      }
      request =
          HttpRequest.POST(url)
              .withHeaders(headers)
              .withEntity(
                  contentType, line.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    CompletableFuture<HttpResponse> response = http.singleRequest(request).toCompletableFuture();
    // the answer's body is read and dropped whenever it comes, so the connection is reused
    response.thenAccept(r -> r.discardEntityBytes(system));
    return response
        .thenApply(HttpResponse::status)
        .thenApply(s -> s.intValue())
        .orTimeout(o.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (status, e) -> {
              if (e == null) {
                return CompletableFuture.completedFuture(status);
              }
              Throwable cause =
                  e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
              boolean undelivered =
                  cause instanceof org.apache.pekko.stream.StreamTcpException
                      || cause instanceof java.net.ConnectException
                      || (cause != null
                          && cause
                              .getClass()
                              .getSimpleName()
                              .contains("UnexpectedConnectionClosure"));
              if (undelivered && attempt + 1 < bases.size()) {
                return send(http, system, line, signer, o, bases, first, attempt + 1)
                    .toCompletableFuture();
              }
              return CompletableFuture.<Integer>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }
}

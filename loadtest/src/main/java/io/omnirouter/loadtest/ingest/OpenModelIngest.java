package io.omnirouter.loadtest.ingest;

import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.loadtest.sim.WhatsAppWebhooks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Durable-ingest load at a constant arrival rate (open model): request i is due at {@code start + i
 * / rate} and goes out then whether or not earlier ones answered; its latency is measured from that
 * intended time, so a stall shows up in the percentiles instead of hiding (no coordinated
 * omission). Every request is a distinct WhatsApp message, signed at send time. Load goes to
 * 127.0.0.1 only and the run is bounded in time.
 */
public final class OpenModelIngest {

  public record Options(
      String baseUrl,
      String account,
      String appSecret,
      int rate,
      Duration duration,
      int contacts,
      Duration timeout,
      double redeliveries,
      String probePath) {}

  public record Result(
      long sent,
      long ok,
      long errors,
      Map<Integer, Long> statuses,
      Histogram latencyMicros,
      double achievedRate,
      Map<String, String> acknowledged,
      Map<Long, Second> timeline) {}

  /**
   * What the requests due in one second of the run got: statuses (-1: no answer) and worst latency.
   */
  public record Second(Map<Integer, Long> statuses, long maxLatencyMillis) {}

  public static Result run(Options o) throws InterruptedException {
    // several nodes: round robin, and like a load balancer a request that could not be delivered to
    // one (connection refused or dropped: a node restarting) goes to the next
    java.util.List<URI> uris = new java.util.ArrayList<>();
    for (String base : o.baseUrl().split(",")) {
      // a probe run (the ceiling of a bare HTTP route) GETs that path instead of posting webhooks
      URI uri =
          URI.create(
              base.trim()
                  + (o.probePath() != null ? o.probePath() : "/webhooks/whatsapp/" + o.account()));
      if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
        throw new IllegalArgumentException("load goes to 127.0.0.1 only, not " + uri.getHost());
      }
      uris.add(uri);
    }
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newFixedThreadPool(4))
            .build();
    Recorder recorder = new Recorder(3_600_000_000L, 3);
    long total = (long) o.rate() * o.duration().toSeconds();
    CountDownLatch done = new CountDownLatch((int) total);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    Map<Integer, Long> statuses = new ConcurrentHashMap<>();
    Map<String, String> acked = new ConcurrentHashMap<>();
    Map<Long, Map<Integer, Long>> perSecond = new ConcurrentHashMap<>();
    Map<Long, Long> worstPerSecond = new ConcurrentHashMap<>();
    Random random = new Random(42);
    java.util.List<String[]> recent = new java.util.ArrayList<>();
    long intervalNanos = 1_000_000_000L / o.rate();
    long start = System.nanoTime();
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
    progress.scheduleAtFixedRate(
        () ->
            System.err.printf(
                java.util.Locale.ROOT,
                "  %d/%d answered, %d ok, %d errors%n",
                total - done.getCount(),
                total,
                ok.get(),
                errors.get()),
        5,
        5,
        TimeUnit.SECONDS);
    for (long i = 0; i < total; i++) {
      long due = start + i * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      String from;
      String wamid;
      String body;
      if (o.probePath() != null) {
        from = null;
        wamid = null;
        body = null;
      } else if (!recent.isEmpty() && random.nextDouble() < o.redeliveries()) {
        // a provider redelivers a message it already sent (same id, same body)
        String[] again = recent.get(random.nextInt(recent.size()));
        from = again[0];
        wamid = again[1];
        body = again[2];
      } else {
        // a Zipf-like spread: most traffic from a few busy contacts
        int contact =
            (int)
                Math.min(
                    o.contacts() - 1, Math.floor(Math.pow(random.nextDouble(), 3) * o.contacts()));
        from = Long.toString(4915000000000L + contact);
        wamid = "wamid." + UUID.randomUUID();
        body =
            WhatsAppWebhooks.message(
                "106540352242922",
                from,
                "Load " + contact,
                wamid,
                System.currentTimeMillis() / 1000,
                "load message " + i);
        if (recent.size() < 1000) {
          recent.add(new String[] {from, wamid, body});
        } else {
          recent.set(random.nextInt(1000), new String[] {from, wamid, body});
        }
      }
      int first = (int) (i % uris.size());
      java.util.function.IntFunction<HttpRequest> to;
      if (body == null) {
        to = n -> HttpRequest.newBuilder(uris.get((first + n) % uris.size())).GET().build();
      } else {
        String signature =
            "sha256="
                + Signatures.hmacSha256Hex(o.appSecret(), body.getBytes(StandardCharsets.UTF_8));
        String payload = body;
        to =
            n ->
                HttpRequest.newBuilder(uris.get((first + n) % uris.size()))
                    .timeout(o.timeout())
                    .header("Content-Type", "application/json")
                    .header("X-Hub-Signature-256", signature)
                    .POST(HttpRequest.BodyPublishers.ofString(payload))
                    .build();
      }
      send(http, to, 0, uris.size())
          .whenComplete(
              (r, e) -> {
                long latency = Math.max(1, (System.nanoTime() - due) / 1000);
                recorder.recordValue(latency);
                long second = (due - start) / 1_000_000_000L;
                perSecond
                    .computeIfAbsent(second, x -> new ConcurrentHashMap<>())
                    .merge(e == null ? r.statusCode() : -1, 1L, Long::sum);
                worstPerSecond.merge(second, latency / 1000, Math::max);
                if (e == null && r.statusCode() == 200) {
                  ok.incrementAndGet();
                  if (wamid != null) {
                    acked.put(wamid, from);
                  }
                } else {
                  errors.incrementAndGet();
                }
                statuses.merge(e == null ? r.statusCode() : -1, 1L, Long::sum);
                done.countDown();
              });
    }
    done.await(o.timeout().toSeconds() + 30, TimeUnit.SECONDS);
    progress.shutdownNow();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(
        total,
        ok.get(),
        errors.get(),
        Map.copyOf(statuses),
        recorder.getIntervalHistogram(),
        ok.get() / seconds,
        Map.copyOf(acked),
        timeline(perSecond, worstPerSecond));
  }

  private static Map<Long, Second> timeline(
      Map<Long, Map<Integer, Long>> statuses, Map<Long, Long> worst) {
    Map<Long, Second> out = new java.util.TreeMap<>();
    statuses.forEach(
        (s, m) -> out.put(s, new Second(new java.util.TreeMap<>(m), worst.getOrDefault(s, 0L))));
    return out;
  }

  /**
   * Sends {@code to.apply(attempt)}; a request that failed before any answer (connection refused or
   * closed) goes to the next node, at most {@code nodes} attempts. Safe for webhooks: a message
   * delivered twice is stored once.
   */
  private static java.util.concurrent.CompletableFuture<HttpResponse<Void>> send(
      HttpClient http, java.util.function.IntFunction<HttpRequest> to, int attempt, int nodes) {
    return http.sendAsync(to.apply(attempt), HttpResponse.BodyHandlers.discarding())
        .handle(
            (r, e) -> {
              Throwable cause =
                  e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                      ? e.getCause()
                      : e;
              boolean undelivered =
                  cause instanceof java.io.IOException
                      && !(cause instanceof java.net.http.HttpTimeoutException);
              if (undelivered && attempt + 1 < nodes) {
                return send(http, to, attempt + 1, nodes);
              }
              return e == null
                  ? java.util.concurrent.CompletableFuture.completedFuture(r)
                  : java.util.concurrent.CompletableFuture.<HttpResponse<Void>>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  public static String summary(Options o, Result r) {
    Histogram h = r.latencyMicros();
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("target_rate", o.rate());
    out.put("duration_s", o.duration().toSeconds());
    out.put("sent", r.sent());
    out.put("ok", r.ok());
    out.put("errors", r.errors());
    out.put("achieved_ok_rate", Math.round(r.achievedRate() * 10) / 10.0);
    for (double p : new double[] {50, 90, 99, 99.9}) {
      out.put(
          "p" + (p == 99.9 ? "999" : Integer.toString((int) p)) + "_ms",
          h.getValueAtPercentile(p) / 1000.0);
    }
    out.put("max_ms", h.getMaxValue() / 1000.0);
    out.put("statuses", r.statuses());
    try {
      return io.omnirouter.connectors.support.Json.MAPPER.writeValueAsString(out);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

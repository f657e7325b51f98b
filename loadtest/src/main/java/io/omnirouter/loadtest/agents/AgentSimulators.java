package io.omnirouter.loadtest.agents;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.support.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * N agents on the live stream (one SSE connection each, with their own tokens) plus one supervisor
 * stream. Each agent goes online, and when a conversation is assigned to it, replies after a think
 * time and resolves it (so its capacity comes back, as a real agent's does). Measured:
 *
 * <ul>
 *   <li>webhook → agent visible: from a message's intended send time (the replay's schedule) to the
 *       moment its agent has it — its {@code message.received} on the agent's stream, or, for the
 *       message that opened an unassigned conversation, the {@code conversation.assigned} that
 *       hands it over;
 *   <li>webhook → supervisor visible: to its {@code message.received} on the supervisor's stream;
 *   <li>assignment latency (B3): from a conversation's {@code conversation.queued} (the router's
 *       time) until its assigned agent's stream delivers the {@code conversation.assigned} of that
 *       episode — the agent's reservation, the conversation's acceptance and the push included
 *       ({@link AssignmentTimes});
 *   <li>assignment decision: the router's own times only, {@code conversation.queued} → the team
 *       router's choice ({@code at} of {@code conversation.assigned}): the routing step without the
 *       writes that make it stick.
 * </ul>
 */
public final class AgentSimulators implements AutoCloseable {

  public record Agent(String id, String token) {}

  /**
   * @param baseUrls the router's nodes: a call or a stream that a node cannot take (gone, stopping:
   *     no connection, 502–504) goes to the next, as behind a load balancer
   */
  public record Options(
      List<String> baseUrls,
      String workspace,
      String supervisorToken,
      List<Agent> agents,
      Duration think,
      boolean resolve) {
    public Options {
      baseUrls = List.copyOf(baseUrls);
      if (baseUrls.isEmpty()) {
        throw new IllegalArgumentException("no router URL");
      }
    }
  }

  public record Result(
      Histogram agentVisibleMicros,
      Histogram supervisorVisibleMicros,
      Histogram assignmentMicros,
      Histogram decisionMicros,
      long assigned,
      long replies,
      long replyFailures,
      long resolved,
      int streamsOpen,
      int waitingForAgent,
      long apiRetries,
      long streamReconnects) {}

  /**
   * Replies answered 2xx, checked in their conversations' message lists: {@code lost} has none with
   * its id, {@code duplicated} more than one.
   */
  public record ReplyCheck(long acknowledged, long lost, long duplicated) {}

  private final Options o;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);

  /** Provider message id → its intended send time (System.nanoTime), told by the replay. */
  private final Map<String, Long> dueById = new ConcurrentHashMap<>();

  /** Messages that arrived while their conversation had no agent, until one has them. */
  private final Handovers handovers = new Handovers();

  private final Map<String, Instant> queuedAt = new ConcurrentHashMap<>();
  private final Map<String, Boolean> seenBySupervisor = new ConcurrentHashMap<>();
  private final Recorder agentVisible = new Recorder(3_600_000_000L, 3);
  private final Recorder supervisorVisible = new Recorder(3_600_000_000L, 3);
  private final Recorder assignment = new Recorder(3_600_000_000L, 3);
  private final Recorder decision = new Recorder(3_600_000_000L, 3);
  private final AssignmentTimes assignmentTimes = new AssignmentTimes();
  private final AtomicLong assigned = new AtomicLong();
  private final AtomicLong replies = new AtomicLong();
  private final AtomicLong replyFailures = new AtomicLong();
  private final AtomicLong resolved = new AtomicLong();
  private final List<Stream> streams = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicLong open = new AtomicLong();

  private final AtomicLong apiRetries = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  // replies answered 2xx: conversation → the reply ids (the idempotency keys) sent to it
  private final Map<String, java.util.Set<String>> ackedReplies = new ConcurrentHashMap<>();
  // conversation.assigned handled per agent and episode: a resumed stream may deliver one again
  private final java.util.Set<String> handled = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public AgentSimulators(Options o) {
    for (String url : o.baseUrls()) {
      if (!url.startsWith("http://127.0.0.1") && !url.startsWith("http://localhost")) {
        throw new IllegalArgumentException("agents talk to 127.0.0.1 only: " + url);
      }
    }
    this.o = o;
  }

  /**
   * Puts every agent online and opens the streams, {@value #BATCH} at a time (a thousand
   * connections at once overflow a listen backlog); returns when all are open.
   */
  public void start() throws Exception {
    List<Agent> agents = o.agents();
    for (int from = 0; from < agents.size(); from += BATCH) {
      List<CompletableFuture<HttpResponse<String>>> online = new ArrayList<>();
      for (Agent a : agents.subList(from, Math.min(agents.size(), from + BATCH))) {
        online.add(
            call("PUT", "/agents/" + a.id() + "/presence", a.token(), "{\"presence\":\"online\"}"));
      }
      for (var f : online) {
        HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
        if (r.statusCode() != 200) {
          throw new IllegalStateException("presence answered " + r.statusCode() + ": " + r.body());
        }
      }
    }
    stream(o.supervisorToken(), this::onSupervisorEvent);
    awaitOpen(1);
    for (int from = 0; from < agents.size(); from += BATCH) {
      for (Agent a : agents.subList(from, Math.min(agents.size(), from + BATCH))) {
        stream(a.token(), (type, data) -> onAgentEvent(a, type, data));
      }
      awaitOpen(1 + Math.min(agents.size(), from + BATCH));
    }
  }

  private static final int BATCH = 50;

  private void awaitOpen(long n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (open.get() < n && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
    }
    if (open.get() < n) {
      throw new IllegalStateException("only " + open.get() + " of " + n + " streams opened");
    }
  }

  /** The replay tells each message's intended send time as it sends it. */
  public void sending(String providerMessageId, long dueNanos) {
    dueById.putIfAbsent(providerMessageId, dueNanos);
  }

  private void onSupervisorEvent(String type, JsonNode data) {
    String conversation = data.path("conversationId").asText();
    switch (type) {
      case "message.received" -> {
        String id = data.path("providerMessageId").asText();
        Long due = dueById.get(id);
        if (due != null && seenBySupervisor.putIfAbsent(id, true) == null) {
          supervisorVisible.recordValue(micros(System.nanoTime() - due));
          if (!data.hasNonNull("assignee")) {
            handovers
                .unassignedMessage(conversation, data.path("sequenceNr").asLong(), due)
                .ifPresent(nanos -> agentVisible.recordValue(micros(nanos)));
          }
        }
      }
      case "conversation.queued" -> {
        Instant at = Instant.parse(data.path("at").asText());
        queuedAt.put(conversation, at);
        assignmentTimes
            .queued(conversation, data.path("episode").asLong(), at)
            .ifPresent(d -> assignment.recordValue(micros(d.toNanos())));
      }
      case "conversation.assigned" -> {
        Instant queued = queuedAt.remove(conversation);
        if (queued != null) {
          Duration d = Duration.between(queued, Instant.parse(data.path("at").asText()));
          decision.recordValue(micros(d.toNanos()));
        }
      }
      default -> {}
    }
  }

  private void onAgentEvent(Agent agent, String type, JsonNode data) {
    String conversation = data.path("conversationId").asText();
    switch (type) {
      case "message.received" -> {
        Long due = dueById.get(data.path("providerMessageId").asText());
        if (due != null && agent.id().equals(data.path("assignee").asText())) {
          agentVisible.recordValue(micros(System.nanoTime() - due));
        }
      }
      case "conversation.assigned" -> {
        if (!agent.id().equals(data.path("assignee").asText())) {
          return;
        }
        long episode = data.path("episode").asLong();
        if (!handled.add(agent.id() + "|" + conversation + "|" + episode)) {
          return; // again, after the stream resumed
        }
        assigned.incrementAndGet();
        assignmentTimes
            .agentHasIt(conversation, episode, Instant.now())
            .ifPresent(d -> assignment.recordValue(micros(d.toNanos())));
        handovers
            .assigned(conversation, data.path("sequenceNr").asLong(), System.nanoTime())
            .forEach(nanos -> agentVisible.recordValue(micros(nanos)));
        timers.schedule(
            () -> reply(agent, conversation, episode), o.think().toMillis(), TimeUnit.MILLISECONDS);
      }
      default -> {}
    }
  }

  private void reply(Agent agent, String conversation, long episode) {
    String base = "/conversations/" + conversation;
    // one id per assignment: sent again to another node, the conversation stores it once
    String id = "r-" + conversation + "-" + episode;
    call(
            "POST",
            base + "/messages",
            agent.token(),
            "{\"id\":\""
                + id
                + "\",\"type\":\"text\",\"text\":\"Thanks, this is "
                + agent.id()
                + ".\"}")
        .handle(
            (r, e) -> {
              boolean ok = e == null && r.statusCode() / 100 == 2;
              if (ok) {
                replies.incrementAndGet();
                ackedReplies
                    .computeIfAbsent(conversation, c -> ConcurrentHashMap.newKeySet())
                    .add(id);
              } else {
                replyFailures.incrementAndGet();
              }
              return ok;
            })
        .thenCompose(
            ok ->
                ok && o.resolve()
                    ? call("POST", base + "/resolve", agent.token(), "{}")
                    : CompletableFuture.<HttpResponse<String>>completedFuture(null))
        .whenComplete(
            (r, e) -> {
              if (r != null && r.statusCode() / 100 == 2) {
                resolved.incrementAndGet();
              }
            });
  }

  private static final int MAX_ATTEMPTS = 20;

  /**
   * {@code method path} with {@code body} (null: none); a node that cannot take it — no connection,
   * 502, 503 or 504 — is left for the next, up to {@value #MAX_ATTEMPTS} tries over about 30 s.
   */
  private CompletableFuture<HttpResponse<String>> call(
      String method, String path, String token, String body) {
    return call(method, path, token, body, firstNode(), 0);
  }

  private CompletableFuture<HttpResponse<String>> call(
      String method, String path, String token, String body, int first, int attempt) {
    HttpRequest.Builder b =
        request(node(first, attempt), path, token).timeout(Duration.ofSeconds(15));
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .handle(
            (r, e) -> {
              boolean unavailable = e != null || (r.statusCode() >= 502 && r.statusCode() <= 504);
              if (!unavailable || attempt + 1 >= MAX_ATTEMPTS || closed) {
                return e == null
                    ? CompletableFuture.completedFuture(r)
                    : CompletableFuture.<HttpResponse<String>>failedFuture(e);
              }
              apiRetries.incrementAndGet();
              return CompletableFuture.supplyAsync(
                      () -> null,
                      CompletableFuture.delayedExecutor(
                          Math.min(2_000, 200L * (attempt + 1)), TimeUnit.MILLISECONDS))
                  .thenCompose(x -> call(method, path, token, body, first, attempt + 1));
            })
        .thenCompose(f -> f);
  }

  private final java.util.concurrent.atomic.AtomicInteger nodes =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Calls and streams start on the nodes in turn. */
  private int firstNode() {
    return Math.floorMod(nodes.getAndIncrement(), o.baseUrls().size());
  }

  /** The node for a call's or a stream's {@code attempt}-th try: the next one each time. */
  private String node(int first, int attempt) {
    return o.baseUrls().get((first + attempt) % o.baseUrls().size());
  }

  private interface Handler {
    void on(String type, JsonNode data);
  }

  private void stream(String token, Handler handler) {
    Stream stream = new Stream(token, handler, firstNode());
    streams.add(stream);
    stream.connect();
  }

  /**
   * One live stream, kept open: when its node goes (a restart, a crash) it connects to the next
   * with the last event id it saw, and the router replays what it missed (repeats dropped by id).
   */
  private final class Stream {
    private final String token;
    private final Handler handler;
    private final int first;
    private final java.util.concurrent.atomic.AtomicInteger attempt =
        new java.util.concurrent.atomic.AtomicInteger();
    private volatile String lastId;
    private volatile Flow.Subscription subscription;
    // ids seen lately: a resume replays from a little before the last one
    private final Map<String, Boolean> seen =
        java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, false) {
              @Override
              protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > 10_000;
              }
            });

    Stream(String token, Handler handler, int first) {
      this.token = token;
      this.handler = handler;
      this.first = first;
    }

    void connect() {
      if (closed) {
        return;
      }
      HttpRequest.Builder req =
          request(node(first, attempt.getAndIncrement()), "/stream", token)
              .header("Accept", "text/event-stream");
      if (lastId != null) {
        req.header("Last-Event-ID", lastId);
      }
      Lines lines = new Lines(this);
      http.sendAsync(
              req.GET().build(),
              info ->
                  info.statusCode() == 200
                      ? HttpResponse.BodySubscribers.fromLineSubscriber(lines)
                      : HttpResponse.BodySubscribers.replacing(null))
          // completes when the stream ends (or never opened): the end, unless the lines saw it
          .whenComplete((r, e) -> lines.end());
    }

    void reconnect() {
      if (!closed) {
        reconnects.incrementAndGet();
        timers.schedule(this::connect, 500, TimeUnit.MILLISECONDS);
      }
    }

    void event(String id, String type, String data) {
      if (id != null) {
        if (seen.put(id, Boolean.TRUE) != null) {
          return; // replayed after a resume: handled already
        }
        lastId = id;
      }
      try {
        handler.on(type, Json.MAPPER.readTree(data));
      } catch (Exception e) {
        System.err.println("bad stream event: " + e.getMessage());
      }
    }
  }

  /**
   * Server-Sent Events, line by line: {@code id:}, {@code event:}, {@code data:}, a blank line
   * dispatches.
   */
  private final class Lines implements Flow.Subscriber<String> {
    private final Stream stream;
    private String id;
    private String type;
    private final StringBuilder data = new StringBuilder();
    private volatile boolean subscribed;
    private final java.util.concurrent.atomic.AtomicBoolean ended =
        new java.util.concurrent.atomic.AtomicBoolean();

    Lines(Stream stream) {
      this.stream = stream;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      stream.subscription = s;
      subscribed = true;
      open.incrementAndGet();
      s.request(Long.MAX_VALUE);
    }

    /** This connection is over (its lines ended, it failed, or it never opened): once. */
    void end() {
      if (ended.compareAndSet(false, true)) {
        if (subscribed) {
          open.decrementAndGet();
        }
        stream.reconnect();
      }
    }

    @Override
    public void onNext(String line) {
      if (line.isEmpty()) {
        if (type != null && data.length() > 0) {
          stream.event(id, type, data.toString());
        }
        id = null;
        type = null;
        data.setLength(0);
      } else if (line.startsWith("id:")) {
        id = line.substring(3).trim();
      } else if (line.startsWith("event:")) {
        type = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      }
    }

    @Override
    public void onError(Throwable t) {
      end();
    }

    @Override
    public void onComplete() {
      end();
    }
  }

  private HttpRequest.Builder request(String baseUrl, String path, String token) {
    return HttpRequest.newBuilder(
            URI.create(baseUrl + "/api/v1/workspaces/" + o.workspace() + path))
        .header("Authorization", "Bearer " + token);
  }

  private static long micros(long nanos) {
    return Math.min(3_600_000_000L, Math.max(1, nanos / 1000));
  }

  private final Histogram agentVisibleTotal = new Histogram(3_600_000_000L, 3);
  private final Histogram supervisorVisibleTotal = new Histogram(3_600_000_000L, 3);
  private final Histogram assignmentTotal = new Histogram(3_600_000_000L, 3);
  private final Histogram decisionTotal = new Histogram(3_600_000_000L, 3);

  /** What was measured so far, from the start. */
  public synchronized Result result() {
    agentVisibleTotal.add(agentVisible.getIntervalHistogram());
    supervisorVisibleTotal.add(supervisorVisible.getIntervalHistogram());
    assignmentTotal.add(assignment.getIntervalHistogram());
    decisionTotal.add(decision.getIntervalHistogram());
    return new Result(
        agentVisibleTotal.copy(),
        supervisorVisibleTotal.copy(),
        assignmentTotal.copy(),
        decisionTotal.copy(),
        assigned.get(),
        replies.get(),
        replyFailures.get(),
        resolved.get(),
        (int) open.get(),
        handovers.waiting(),
        apiRetries.get(),
        reconnects.get());
  }

  /**
   * Checks every reply answered 2xx in its conversation's messages (the read side, as an inbox
   * shows them): found once, lost (not there) or duplicated. The read side follows the journal, so
   * a reply not there yet is looked for again until {@code settle} has passed.
   */
  public ReplyCheck checkReplies(Duration settle) throws Exception {
    long deadline = System.nanoTime() + settle.toNanos();
    while (true) {
      long acknowledged = 0;
      long lost = 0;
      long duplicated = 0;
      for (var e : ackedReplies.entrySet()) {
        Map<String, Integer> stored = replyIdsIn(e.getKey());
        for (String id : e.getValue()) {
          acknowledged++;
          int n = stored.getOrDefault(id, 0);
          if (n == 0) {
            lost++;
          } else if (n > 1) {
            duplicated++;
          }
        }
      }
      if (lost == 0 || System.nanoTime() > deadline) {
        return new ReplyCheck(acknowledged, lost, duplicated);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
    }
  }

  /** How often each of our replies' ids occurs among the conversation's outgoing messages. */
  private Map<String, Integer> replyIdsIn(String conversation) throws Exception {
    Map<String, Integer> ids = new java.util.HashMap<>();
    long after = -1;
    while (true) {
      HttpResponse<String> r =
          call(
                  "GET",
                  "/conversations/" + conversation + "/messages?limit=200&after=" + after,
                  o.supervisorToken(),
                  null)
              .get(60, TimeUnit.SECONDS);
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "messages of " + conversation + " answered " + r.statusCode() + ": " + r.body());
      }
      JsonNode page = Json.MAPPER.readTree(r.body());
      for (JsonNode m : page.path("items")) {
        if ("out".equals(m.path("direction").asText())) {
          ids.merge(m.path("messageId").asText(), 1, Integer::sum);
        }
      }
      if (page.path("items").size() < 200) {
        return ids;
      }
      after = page.path("last").asLong();
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Stream s : streams) {
      if (s.subscription != null) {
        s.subscription.cancel(); // closes the connection
      }
    }
    timers.shutdownNow();
  }
}

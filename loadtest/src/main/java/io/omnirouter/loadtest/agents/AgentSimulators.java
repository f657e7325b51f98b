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

  public record Options(
      String baseUrl,
      String workspace,
      String supervisorToken,
      List<Agent> agents,
      Duration think,
      boolean resolve) {}

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
      int waitingForAgent) {}

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
  private final List<Sse> streams = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicLong open = new AtomicLong();

  public AgentSimulators(Options o) {
    if (!o.baseUrl().startsWith("http://127.0.0.1")
        && !o.baseUrl().startsWith("http://localhost")) {
      throw new IllegalArgumentException("agents talk to 127.0.0.1 only");
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
            http.sendAsync(
                request("/agents/" + a.id() + "/presence", a.token())
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"presence\":\"online\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
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
        assigned.incrementAndGet();
        assignmentTimes
            .agentHasIt(conversation, data.path("episode").asLong(), Instant.now())
            .ifPresent(d -> assignment.recordValue(micros(d.toNanos())));
        handovers
            .assigned(conversation, data.path("sequenceNr").asLong(), System.nanoTime())
            .forEach(nanos -> agentVisible.recordValue(micros(nanos)));
        timers.schedule(
            () -> reply(agent, conversation), o.think().toMillis(), TimeUnit.MILLISECONDS);
      }
      default -> {}
    }
  }

  private void reply(Agent agent, String conversation) {
    String base = "/conversations/" + conversation;
    http.sendAsync(
            request(base + "/messages", agent.token())
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"text\",\"text\":\"Thanks, this is " + agent.id() + ".\"}"))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .thenCompose(
            r -> {
              if (r.statusCode() / 100 == 2) {
                replies.incrementAndGet();
              } else {
                replyFailures.incrementAndGet();
              }
              return o.resolve()
                  ? http.sendAsync(
                      request(base + "/resolve", agent.token())
                          .header("Content-Type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofString("{}"))
                          .build(),
                      HttpResponse.BodyHandlers.discarding())
                  : CompletableFuture.completedFuture(null);
            })
        .whenComplete(
            (r, e) -> {
              if (r != null && r.statusCode() / 100 == 2) {
                resolved.incrementAndGet();
              }
            });
  }

  private interface Handler {
    void on(String type, JsonNode data);
  }

  private void stream(String token, Handler handler) {
    HttpRequest req = request("/stream", token).header("Accept", "text/event-stream").GET().build();
    Sse sse = new Sse(handler);
    streams.add(sse);
    http.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(sse))
        .thenAccept(
            r -> {
              if (r.statusCode() != 200) {
                System.err.println("stream answered " + r.statusCode());
              }
            });
  }

  /** Server-Sent Events, line by line: {@code event:}, {@code data:}, blank line dispatches. */
  private final class Sse implements Flow.Subscriber<String> {
    private final Handler handler;
    private String type;
    private final StringBuilder data = new StringBuilder();
    private volatile Flow.Subscription subscription;

    Sse(Handler handler) {
      this.handler = handler;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      open.incrementAndGet();
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.isEmpty()) {
        if (type != null && data.length() > 0) {
          try {
            handler.on(type, Json.MAPPER.readTree(data.toString()));
          } catch (Exception e) {
            System.err.println("bad stream event: " + e.getMessage());
          }
        }
        type = null;
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        type = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      }
    }

    @Override
    public void onError(Throwable t) {
      open.decrementAndGet();
    }

    @Override
    public void onComplete() {
      open.decrementAndGet();
    }
  }

  private HttpRequest.Builder request(String path, String token) {
    return HttpRequest.newBuilder(
            URI.create(o.baseUrl() + "/api/v1/workspaces/" + o.workspace() + path))
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
        handovers.waiting());
  }

  @Override
  public void close() {
    for (Sse s : streams) {
      if (s.subscription != null) {
        s.subscription.cancel(); // closes the connection
      }
    }
    timers.shutdownNow();
  }
}

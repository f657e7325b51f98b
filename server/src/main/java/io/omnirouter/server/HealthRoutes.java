package io.omnirouter.server;

import io.omnirouter.persistence.JournalHealth;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /health}: the process is alive. {@code GET /ready}: this node is an Up cluster member
 * and a journal write+read round trip just succeeded.
 */
public final class HealthRoutes extends AllDirectives {
  private final ActorSystem<?> system;
  private final ActorRef<JournalHealth.Command> journalHealth;
  private final Duration timeout;

  public HealthRoutes(
      ActorSystem<?> system, ActorRef<JournalHealth.Command> journalHealth, Duration timeout) {
    this.system = system;
    this.journalHealth = journalHealth;
    this.timeout = timeout;
  }

  public Route routes() {
    return concat(
        path(
            "health",
            () ->
                get(() -> complete(StatusCodes.OK, Map.of("status", "UP"), Jackson.marshaller()))),
        path("ready", () -> get(() -> onSuccess(ready(), this::readiness))));
  }

  private Route readiness(Map<String, Object> body) {
    boolean ready = Boolean.TRUE.equals(body.get("ready"));
    return complete(
        ready ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body, Jackson.marshaller());
  }

  private CompletionStage<Map<String, Object>> ready() {
    MemberStatus status = Cluster.get(system).selfMember().status();
    String cluster = status.toString();
    if (status != MemberStatus.up()) {
      return java.util.concurrent.CompletableFuture.completedFuture(
          Map.of("ready", false, "cluster", cluster, "journal", "not checked"));
    }
    return AskPattern.<JournalHealth.Command, JournalHealth.Result>ask(
            journalHealth, JournalHealth.Check::new, timeout.plusSeconds(1), system.scheduler())
        .handle(
            (result, error) ->
                error != null
                    ? Map.of(
                        "ready",
                        false,
                        "cluster",
                        cluster,
                        "journal",
                        "no answer: " + error.getMessage())
                    : Map.of("ready", result.ok(), "cluster", cluster, "journal", result.detail()));
  }
}

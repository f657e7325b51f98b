package io.omnirouter.server;

import com.typesafe.config.Config;
import io.omnirouter.connectors.Connectors;
import io.omnirouter.connectors.webchat.WebChatSessions;
import io.omnirouter.core.RouterCore;
import io.omnirouter.core.contact.Identity;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.workspace.Workspaces;
import io.omnirouter.persistence.readside.ReadSide;
import io.omnirouter.server.api.ApiTokens;
import io.omnirouter.server.api.InboxRoutes;
import io.omnirouter.server.live.LiveHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;

/** The router's entities and webhook routes in the test JVM, on a free port. */
final class InProcessRouter implements AutoCloseable {
  static final Duration T = Duration.ofSeconds(20);
  final ActorTestKit kit;
  final RouterCore core;
  final int port;
  final ReadSide readSide;
  private final HttpClient http = HttpClient.newHttpClient();

  InProcessRouter(String name, Config config) throws Exception {
    this(name, config, true);
  }

  /**
   * {@code configureAgents}: apply the workspace's agent profiles first (needs a working journal).
   */
  InProcessRouter(String name, Config config, boolean configureAgents) throws Exception {
    this(name, config, configureAgents, true);
  }

  /**
   * {@code storageFirst}: open HTTP only once the journal's tables exist and every ingest partition
   * answered, as {@code Main} does; off for a router meant to run without a reachable Cassandra.
   */
  InProcessRouter(String name, Config config, boolean configureAgents, boolean storageFirst)
      throws Exception {
    kit = ActorTestKit.create(name, config);
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Workspaces workspaces = Workspaces.fromConfig(config);
    core =
        RouterCore.init(
            kit.system(),
            workspaces,
            io.omnirouter.persistence.CassandraIngestStore.start(kit.system()));
    Connectors connectors = new Connectors(workspaces, Clock.systemUTC());
    WebChatSessions webchat = new WebChatSessions();
    var outbound =
        new OutboundDispatcher(
            kit.system(),
            core,
            connectors,
            Senders.all(kit.system(), config, webchat),
            OutboundDispatcher.Settings.fromConfig(config));
    if (configureAgents) {
      core.configureAgents(T).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    var journalHealth =
        kit.spawn(
            io.omnirouter.persistence.JournalHealth.create(name, Duration.ofSeconds(5)),
            "journal-health");
    core.onOutbound(outbound::dispatch);
    var journalReady = io.omnirouter.persistence.JournalSchema.ensure(kit.system());
    readSide = ReadSide.start(kit.system(), journalReady);
    var liveHub =
        kit.spawn(
            LiveHub.create(
                workspaces.byId().keySet(), new LiveHub.Settings(1000, Duration.ofMinutes(5))),
            "live-hub");
    core.onStored(LiveHub.listener(liveHub));
    io.omnirouter.server.live.WindowWatch.start(
        kit.system(), workspaces.byId().keySet(), readSide.store(), liveHub, core::wake);
    var routes =
        new WebhookRoutes(
                kit.system(),
                core,
                connectors,
                WebhookRoutes.WebhookSettings.fromConfig(config),
                () ->
                    io.omnirouter.persistence.JournalHealth.ok(
                        journalHealth, Duration.ofSeconds(5), kit.system().scheduler()))
            .routes()
            .orElse(
                new WebChatRoutes(kit.system(), core, connectors, webchat, Duration.ofSeconds(4))
                    .routes())
            .orElse(
                new InboxRoutes(
                        kit.system(),
                        core,
                        new ApiTokens(config),
                        T,
                        readSide.store(),
                        liveHub,
                        Duration.ofSeconds(10))
                    .routes())
            .orElse(new HealthRoutes(kit.system(), journalHealth, Duration.ofSeconds(5)).routes());
    // as Main: HTTP opens once the journal's tables exist and every ingest partition has answered
    // (a first test on a fresh Cassandra otherwise met partitions still waiting for their tables)
    if (storageFirst) {
      journalReady.toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (core.ingestLog()) {
        core.ingestBacklog(T).toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
    ServerBinding binding =
        HttpServer.start(kit.system(), routes, "127.0.0.1", 0)
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    port = binding.localAddress().getPort();
  }

  HttpResponse<String> post(
      String path, String contentType, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Waits until every webhook acknowledged so far has reached its conversation (with the ingest
   * log, a 200 means "in the log"; the thread has it moments later).
   */
  void settled() throws Exception {
    if (!core.ingestLog()) {
      return;
    }
    org.awaitility.Awaitility.await("the ingest log drains")
        .atMost(T)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                core.ingestBacklog(T).toCompletableFuture().get(30, TimeUnit.SECONDS).entries()
                    == 0);
  }

  /** The contact an identity belongs to, or null when it was never stored. */
  String contactOf(String workspace, String identityKey) throws Exception {
    settled();
    return core.identity(workspace, identityKey)
        .<Identity.LookupResult>ask(Identity.Lookup::new, T)
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS)
        .contactId();
  }

  Conversation.Summary conversation(String workspace, String contactId) throws Exception {
    settled();
    return core.conversation(workspace, contactId)
        .ask(Conversation.GetSummary::new, T)
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    kit.shutdownTestKit();
  }
}

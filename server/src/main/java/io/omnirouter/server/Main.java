package io.omnirouter.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.omnirouter.connectors.Connectors;
import io.omnirouter.connectors.webchat.WebChatSessions;
import io.omnirouter.core.RouterCore;
import io.omnirouter.core.workspace.Workspaces;
import io.omnirouter.persistence.CassandraConfig;
import io.omnirouter.persistence.CassandraIngestStore;
import io.omnirouter.persistence.JournalHealth;
import io.omnirouter.persistence.JournalSchema;
import io.omnirouter.persistence.readside.ReadSide;
import io.omnirouter.server.api.ApiTokens;
import io.omnirouter.server.api.InboxRoutes;
import io.omnirouter.server.live.LiveHub;
import io.omnirouter.server.live.ReadSideAudit;
import io.omnirouter.server.live.WindowWatch;
import java.io.File;
import kamon.Kamon;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Wires the router: config, Kamon, the ActorSystem with Cluster and Sharding, the entities, HTTP.
 * Usage: {@code Main [conf/application.conf] [override.conf ...]} — later files win.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    io.omnirouter.core.CommonPool.atLeastTwoThreads(); // first: see its doc
    Config config = loadConfig(args);
    // before the ActorSystem, so Kamon's instrumentation sees Pekko's classes load
    Kamon.init(config);
    ActorSystem<Void> system = ActorSystem.create(guardian(), "omnirouter", config);
    system.getWhenTerminated().thenRun(Kamon::stop);
  }

  public static Config loadConfig(String[] args) {
    String main = args.length > 0 ? args[0] : "conf/application.conf";
    Config app = parseRequired(main);
    for (int i = args.length - 1; i >= 1; i--) {
      app = parseRequired(args[i]).withFallback(app);
    }
    // load() resolves module reference.conf files after ours, so our values flow into theirs
    return CassandraConfig.withDriverSettings(ConfigFactory.load(app));
  }

  private static Config parseRequired(String path) {
    return ConfigFactory.parseFile(
        new File(path), ConfigParseOptions.defaults().setAllowMissing(false));
  }

  static Behavior<Void> guardian() {
    return Behaviors.setup(
        ctx -> {
          ActorSystem<Void> system = ctx.getSystem();
          Config config = system.settings().config();
          ServerSettings settings = ServerSettings.fromConfig(config);

          Cluster cluster = Cluster.get(system);
          Address self = cluster.selfMember().address();
          if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
            cluster.manager().tell(Join.create(self));
          }

          Workspaces workspaces = Workspaces.fromConfig(config);
          workspaces
              .byId()
              .values()
              .forEach(
                  ws ->
                      ctx.getLog()
                          .info(
                              "Workspace {} ({}): {} channel accounts, {} teams, {} agents",
                              ws.id(),
                              ws.name(),
                              ws.channels().size(),
                              ws.teams().size(),
                              ws.agents().size()));

          // the journal plugin tries this once; /ready waits for the journal either way
          var journalReady = JournalSchema.ensure(system);
          RouterCore core = RouterCore.init(system, workspaces, CassandraIngestStore.start(system));
          ReadSide readSide = ReadSide.start(system, journalReady);
          Metrics.projectionLag(system, readSide);
          Metrics.ingest(system, core);
          Metrics.assignments(core);
          ActorRef<LiveHub.Command> liveHub =
              ctx.spawn(LiveHub.create(workspaces.byId().keySet(), settings.liveHub()), "live-hub");
          core.onStored(LiveHub.listener(liveHub));
          WindowWatch.start(
              system, workspaces.byId().keySet(), readSide.store(), liveHub, core::wake);
          ctx.spawn(
              ReadSideAudit.create(
                  workspaces.byId().keySet(),
                  liveHub,
                  readSide.repair()::repair,
                  core::wake,
                  config.getDuration("omnirouter.read-side.audit-after"),
                  settings.askTimeout()),
              "read-side-audit");
          core.configureAgents(settings.askTimeout())
              .whenComplete(
                  (done, error) -> {
                    if (error != null) {
                      system
                          .log()
                          .error(
                              "Agent profiles not all applied after asking for minutes; the next"
                                  + " start of a node applies them",
                              error);
                    } else {
                      system.log().info("Agent profiles applied ({} agents)", done.size());
                    }
                  });

          String nodeKey =
              self.host().getOrElse(() -> "local") + ":" + self.port().getOrElse(() -> 0);
          ActorRef<JournalHealth.Command> journalHealth =
              ctx.spawn(
                  JournalHealth.create(nodeKey, settings.readinessTimeout()), "journal-health");

          Connectors connectors = new Connectors(workspaces, java.time.Clock.systemUTC());
          WebChatSessions webchat = new WebChatSessions();
          var outbound =
              new OutboundDispatcher(
                  system,
                  core,
                  connectors,
                  Senders.all(system, config, webchat),
                  OutboundDispatcher.Settings.fromConfig(config));
          core.onOutbound(outbound::dispatch);
          var webhooks =
              new WebhookRoutes(
                  system,
                  core,
                  connectors,
                  WebhookRoutes.WebhookSettings.fromConfig(config),
                  () ->
                      JournalHealth.ok(
                          journalHealth, settings.readinessTimeout(), system.scheduler()));
          var webchatRoutes =
              new WebChatRoutes(
                  system,
                  core,
                  connectors,
                  webchat,
                  config.getDuration("omnirouter.webhooks.store-timeout"));
          var routes =
              webhooks
                  .routes()
                  .orElse(webchatRoutes.routes())
                  .orElse(
                      new InboxRoutes(
                              system,
                              core,
                              new ApiTokens(config),
                              settings.askTimeout(),
                              readSide.store(),
                              liveHub,
                              config.getDuration("omnirouter.read-side.resume-overlap"))
                          .routes())
                  .orElse(
                      new HealthRoutes(system, journalHealth, settings.readinessTimeout())
                          .routes());
          // Traffic only once this node is Up in the cluster: before that every webhook would wait
          // for shards it cannot reach yet (a restarted node left requests unanswered for 10 s in
          // the rolling-restart drill); a refused connection makes a load balancer, the load tool
          // or a provider go elsewhere at once. And only once every ingest partition has answered
          // this node: the first webhooks of a restarted node otherwise waited for the partitions'
          // homes to be looked up and the first remote sends, past the timeout (the 50/s drill).
          org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
              .registerOnMemberUp(
                  () ->
                      warmUp(system, core)
                          // and the journal's tables exist (the plugin keeps a statement that
                          // failed to prepare)
                          .thenCompose(x -> journalReady)
                          .thenRun(
                              () ->
                                  HttpServer.start(
                                      system, routes, settings.interfaceName(), settings.port())));
          return Behaviors.empty();
        });
  }

  /** Asks every ingest partition once; completes either way (a partition may still be starting). */
  private static java.util.concurrent.CompletionStage<Void> warmUp(
      ActorSystem<?> system, RouterCore core) {
    if (!core.ingestLog()) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
    return core.ingestBacklog(java.time.Duration.ofSeconds(10))
        .handle(
            (backlog, error) -> {
              if (error != null) {
                system.log().warn("Ingest partitions not all reachable yet: {}", error.toString());
              }
              return null;
            });
  }
}

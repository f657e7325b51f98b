package io.omnirouter.persistence.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.omnirouter.persistence.CassandraConfig;
import io.omnirouter.persistence.cassandra.EmbeddedCassandra;
import java.nio.file.Path;

/**
 * The real Cassandra that tests run against: started once per test JVM on its own ports (so a
 * {@code ./omnirouter start} instance is left alone), reused if already listening, and stopped when
 * the JVM exits. The forked Cassandra also exits by itself if this JVM is killed.
 */
public final class TestCassandra {
  public static final int CQL_PORT = Integer.getInteger("omnirouter.test.cassandra.port", 9142);
  public static final String KEYSPACE = "omnirouter_test";

  private static EmbeddedCassandra instance;

  private TestCassandra() {}

  public static synchronized void ensureStarted() {
    if (instance != null) {
      return;
    }
    Path root = Path.of(System.getProperty("omnirouter.root", "..")).toAbsolutePath().normalize();
    var options =
        EmbeddedCassandra.Options.defaults(
                root.resolve("target/test-cassandra"), root.resolve("conf/cassandra.yaml"))
            .withPorts(CQL_PORT, CQL_PORT + 1, CQL_PORT + 2)
            .watchingParent(true);
    instance = EmbeddedCassandra.start(options);
    EmbeddedCassandra started = instance;
    Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "stop-test-cassandra"));
  }

  /** Config for an ActorSystem journaling to the test Cassandra; {@code overrides} win. */
  public static Config config(String overrides) {
    ensureStarted();
    // load() resolves reference.conf after our overrides, so the keyspace flows into the plugin
    Config app =
        ConfigFactory.parseString(overrides)
            .withFallback(
                ConfigFactory.parseString(
                    "omnirouter.cassandra.contact-points = [\"127.0.0.1:"
                        + CQL_PORT
                        + "\"]\n"
                        + "omnirouter.cassandra.keyspace = "
                        + KEYSPACE
                        + "\n"
                        + "pekko.actor.provider = cluster\n"
                        + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "pekko.remote.artery.canonical.port = 0\n"
                        + "pekko.coordinated-shutdown.exit-jvm = off\n"
                        + "pekko.loglevel = INFO\n"
                        // a single test node has nowhere to hand shards off to: do not wait long
                        + "pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 3s\n"
                        + "pekko.actor.testkit.typed.system-shutdown-default = 60s\n"))
            .withFallback(ConfigFactory.parseResources("omnirouter-persistence.conf"));
    return CassandraConfig.withDriverSettings(ConfigFactory.load(app));
  }

  /** A test kit journaling to the test Cassandra, with the journal's tables created. */
  public static org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit journalKit(String name)
      throws Exception {
    var kit = org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit.create(name, config(""));
    io.omnirouter.persistence.JournalSchema.ensure(kit.system())
        .toCompletableFuture()
        .get(60, java.util.concurrent.TimeUnit.SECONDS);
    return kit;
  }

  /** The session the read side and the ingest store use (not the journal's), for CQL in tests. */
  public static org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession session(
      org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry.get(system)
        .sessionFor(
            system.settings().config().getString("pekko.projection.cassandra.session-config-path"));
  }
}

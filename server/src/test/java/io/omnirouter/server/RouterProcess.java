package io.omnirouter.server;

import io.omnirouter.persistence.testkit.TestCassandra;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A router node as a separate JVM running {@link Main} with the real config files, journaling to
 * the test Cassandra: what `./omnirouter start` runs, and what a fault test can kill -9.
 */
final class RouterProcess implements AutoCloseable {
  final int httpPort;
  final int metricsPort;
  final int remotePort;
  final Path log;
  private final Process process;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private RouterProcess(int httpPort, int metricsPort, int remotePort, Path log, Process process) {
    this.httpPort = httpPort;
    this.metricsPort = metricsPort;
    this.remotePort = remotePort;
    this.log = log;
    this.process = process;
  }

  static RouterProcess start(String name, String extraConfig) throws IOException {
    return start(name, extraConfig, 0);
  }

  /**
   * @param seedPort the remoting port of the node to join; -1 to be the first node of a cluster
   *     (its own seed); 0 for a single node that joins itself
   */
  static RouterProcess start(String name, String extraConfig, int seedPort) throws IOException {
    TestCassandra.ensureStarted();
    Path root = Path.of(System.getProperty("omnirouter.root", "..")).toAbsolutePath().normalize();
    int http = freePort();
    int metrics = freePort();
    int remote = freePort();
    Path dir = Files.createDirectories(Path.of("target", "router-processes"));
    Path override = dir.resolve(name + ".conf");
    Files.writeString(
        override,
        String.join(
            "\n",
            "omnirouter.cassandra.contact-points = [\"127.0.0.1:" + TestCassandra.CQL_PORT + "\"]",
            "omnirouter.cassandra.keyspace = " + TestCassandra.KEYSPACE,
            "omnirouter.http.port = " + http,
            "kamon.prometheus.embedded-server.port = " + metrics,
            "kamon.modules.status-page.enabled = no",
            "kamon.metric.tick-interval = 1s",
            "pekko.remote.artery.canonical.port = " + remote,
            seedPort == 0
                ? ""
                : "pekko.cluster.seed-nodes = [\"pekko://omnirouter@127.0.0.1:"
                    + (seedPort < 0 ? remote : seedPort)
                    + "\"]",
            extraConfig));
    Path log = dir.resolve(name + ".log");
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-XX:+UseParallelGC",
            "-Djdk.attach.allowAttachSelf=true",
            "-cp",
            classpath,
            Main.class.getName(),
            root.resolve("conf/application.conf").toString(),
            override.toAbsolutePath().toString());
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    return new RouterProcess(http, metrics, remote, log, p);
  }

  boolean alive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return get(httpPort, path);
  }

  HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL: no shutdown hooks, no graceful leave. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: CoordinatedShutdown leaves the cluster and exits. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}

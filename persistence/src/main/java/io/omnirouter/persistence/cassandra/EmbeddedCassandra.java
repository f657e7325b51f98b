package io.omnirouter.persistence.cassandra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a real Apache Cassandra (Maven Central's {@code cassandra-all}) in a forked JVM, waits
 * until CQL answers, and stops it with SIGTERM. Reuses an instance already listening on the CQL
 * port. Layout under {@code baseDir}: {@code cassandra-runtime/} (the resolved classpath) and
 * {@code cassandra/} (yaml, data, commit log, logs, pid file).
 */
public final class EmbeddedCassandra implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  /** Cassandra's own {@code conf/jvm17-server.options}, which it needs on Java 17. */
  static final List<String> JVM17_FLAGS =
      List.of(
          "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports=java.sql/java.sql=ALL-UNNAMED",
          "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
          "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "-Djdk.attach.allowAttachSelf=true",
          "-Dio.netty.tryReflectionSetAccessible=true",
          "-Djava.net.preferIPv4Stack=true");

  /**
   * Where and how to run.
   *
   * @param watchParent exit when the forking JVM goes away (tests); false for a detached server
   */
  public record Options(
      Path baseDir,
      Path yamlTemplate,
      String host,
      int cqlPort,
      int storagePort,
      int jmxPort,
      String heap,
      Duration startTimeout,
      boolean watchParent) {

    public static Options defaults(Path baseDir, Path yamlTemplate) {
      return new Options(
          baseDir, yamlTemplate, "127.0.0.1", 9042, 7000, 7199, "1G", Duration.ofMinutes(3), false);
    }

    public Options withPorts(int cql, int storage, int jmx) {
      return new Options(
          baseDir, yamlTemplate, host, cql, storage, jmx, heap, startTimeout, watchParent);
    }

    public Options watchingParent(boolean watch) {
      return new Options(
          baseDir, yamlTemplate, host, cqlPort, storagePort, jmxPort, heap, startTimeout, watch);
    }

    Path cassandraDir() {
      return baseDir.resolve("cassandra");
    }

    Path pidFile() {
      return cassandraDir().resolve("cassandra.pid");
    }

    Path logDir() {
      return cassandraDir().resolve("log");
    }
  }

  private final Options options;
  private final Process process; // null when an instance was already running

  private EmbeddedCassandra(Options options, Process process) {
    this.options = options;
    this.process = process;
  }

  /** Starts Cassandra, or reuses the one already answering on the CQL port. */
  public static EmbeddedCassandra start(Options options) {
    if (isListening(options.host(), options.cqlPort())) {
      log.info("Reusing Cassandra already listening on {}:{}", options.host(), options.cqlPort());
      return new EmbeddedCassandra(options, null);
    }
    try {
      List<String> command = command(options);
      Files.createDirectories(options.logDir());
      File out = options.logDir().resolve("stdout.log").toFile();
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(out));
      if (!options.watchParent()) {
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      }
      log.info(
          "Starting Cassandra on {}:{} in {}",
          options.host(),
          options.cqlPort(),
          options.cassandraDir());
      Process process = builder.start();
      Files.writeString(options.pidFile(), Long.toString(process.pid()));
      EmbeddedCassandra cassandra = new EmbeddedCassandra(options, process);
      cassandra.awaitCql();
      return cassandra;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start Cassandra", e);
    }
  }

  /** True when this object started the process (and so will stop it). */
  public boolean owned() {
    return process != null;
  }

  public Optional<Long> pid() {
    return Optional.ofNullable(process).map(Process::pid);
  }

  public Options options() {
    return options;
  }

  private void awaitCql() {
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    try {
      while (System.nanoTime() < deadline) {
        if (isListening(options.host(), options.cqlPort())) {
          log.info("Cassandra answers CQL on {}:{}", options.host(), options.cqlPort());
          return;
        }
        // waiting on the process doubles as the poll delay and notices an early exit
        if (process.waitFor(250, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(
              "Cassandra exited with code " + process.exitValue() + " during start:\n" + logTail());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stop();
    throw new IllegalStateException(
        "Cassandra did not answer CQL within " + options.startTimeout() + ":\n" + logTail());
  }

  /** Stops the process this object started: SIGTERM, then waits; SIGKILL only as a last resort. */
  public void stop() {
    if (process == null) {
      return;
    }
    terminate(process.toHandle(), Duration.ofSeconds(60));
    try {
      Files.deleteIfExists(options.pidFile());
    } catch (IOException e) {
      log.warn("Could not delete {}", options.pidFile(), e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Stops the Cassandra recorded in the pid file under {@code baseDir}, if it runs. */
  public static boolean stopByPidFile(Options options) throws IOException {
    Optional<ProcessHandle> handle = runningFromPidFile(options);
    if (handle.isEmpty()) {
      Files.deleteIfExists(options.pidFile());
      return false;
    }
    terminate(handle.get(), Duration.ofSeconds(60));
    Files.deleteIfExists(options.pidFile());
    return true;
  }

  public static Optional<ProcessHandle> runningFromPidFile(Options options) throws IOException {
    if (!Files.exists(options.pidFile())) {
      return Optional.empty();
    }
    long pid = Long.parseLong(Files.readString(options.pidFile()).trim());
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(
            h ->
                h.info()
                    .commandLine()
                    // the full line can be truncated (long classpath); this flag comes early
                    .map(c -> c.contains("-Dcassandra.config="))
                    .orElse(true));
  }

  private static void terminate(ProcessHandle handle, Duration grace) {
    log.info("Stopping Cassandra (pid {})", handle.pid());
    handle.destroy();
    if (!awaitExit(handle, grace)) {
      log.warn("Cassandra (pid {}) did not stop within {}; killing it", handle.pid(), grace);
      handle.destroyForcibly();
      awaitExit(handle, Duration.ofSeconds(30));
    }
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  public static boolean isListening(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(options.logDir().resolve("stdout.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  // ---- the forked JVM's command line ----

  static List<String> command(Options options) throws IOException {
    Path dir = options.cassandraDir();
    Files.createDirectories(dir);
    Path yaml = dir.resolve("cassandra.yaml");
    Files.writeString(yaml, render(Files.readString(options.yamlTemplate()), options));
    Path logback = dir.resolve("logback.xml");
    Files.write(logback, resource("cassandra-runtime/logback.xml"));

    List<String> classpath =
        CassandraClasspath.resolve(options.baseDir().resolve("cassandra-runtime"));
    String jamm =
        classpath.stream()
            .filter(p -> Path.of(p).getFileName().toString().startsWith("jamm-"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("jamm not on Cassandra's classpath"));
    List<String> entries = new ArrayList<>(classpath);
    entries.add(ownLocation());

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xms" + options.heap());
    cmd.add("-Xmx" + options.heap());
    cmd.add("-XX:+UseG1GC");
    cmd.add("-XX:+HeapDumpOnOutOfMemoryError");
    // every GC pause, as Cassandra's launcher logs them (GCInspector: only those over 200 ms)
    cmd.add(
        "-Xlog:gc:file="
            + options.logDir().resolve("gc.log").toAbsolutePath()
            + ":time,uptime:filecount=4,filesize=10m");
    cmd.add("-Xss256k");
    cmd.addAll(JVM17_FLAGS);
    cmd.add("-javaagent:" + jamm);
    cmd.add("-Dcassandra.config=" + yaml.toUri());
    cmd.add("-Dcassandra.storagedir=" + dir.resolve("data").toAbsolutePath());
    cmd.add("-Dcassandra.logdir=" + options.logDir().toAbsolutePath());
    cmd.add("-Dlogback.configurationFile=" + logback.toAbsolutePath());
    cmd.add("-Dcassandra.jmx.local.port=" + options.jmxPort());
    cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    cmd.add("-Dcassandra.ring_delay_ms=0");
    cmd.add("-Dcassandra-foreground=yes");
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, entries));
    cmd.add(
        options.watchParent()
            ? ParentWatchdog.class.getName()
            : "org.apache.cassandra.service.CassandraDaemon");
    return cmd;
  }

  static String render(String template, Options options) {
    Map<String, String> values =
        Map.of(
            "data_dir", options.cassandraDir().resolve("data").toAbsolutePath().toString(),
            "storage_port", Integer.toString(options.storagePort()),
            "cql_port", Integer.toString(options.cqlPort()));
    String out = template;
    for (var e : values.entrySet()) {
      out = out.replace("${" + e.getKey() + "}", e.getValue());
    }
    if (out.contains("${")) {
      throw new IllegalArgumentException(
          "Unknown placeholder in "
              + options.yamlTemplate()
              + ": "
              + out.substring(out.indexOf("${")));
    }
    return out;
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = EmbeddedCassandra.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("Missing resource " + name);
      }
      return in.readAllBytes();
    }
  }

  private static String ownLocation() {
    try {
      return Path.of(
              EmbeddedCassandra.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

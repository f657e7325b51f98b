package io.omnirouter.persistence.cassandra;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cassandra's runtime classpath, resolved once by Maven from a pom holding only {@code
 * cassandra-all} and cached in {@code classpath.txt}; resolved again when a jar in it is gone.
 */
final class CassandraClasspath {
  private static final Logger log = LoggerFactory.getLogger(CassandraClasspath.class);

  private CassandraClasspath() {}

  static List<String> resolve(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path pom = dir.resolve("pom.xml");
    Path out = dir.resolve("classpath.txt");
    byte[] wanted = EmbeddedCassandra.resource("cassandra-runtime/pom.xml");
    boolean pomChanged = !Files.exists(pom) || !Arrays.equals(Files.readAllBytes(pom), wanted);
    if (!pomChanged && Files.exists(out)) {
      List<String> cached = split(Files.readString(out));
      if (!cached.isEmpty() && cached.stream().allMatch(p -> Files.exists(Path.of(p)))) {
        return cached;
      }
    }
    Files.write(pom, wanted);
    List<String> cmd = new ArrayList<>();
    cmd.add(maven());
    cmd.addAll(List.of("-B", "-q", "-f", pom.toString(), "dependency:build-classpath"));
    cmd.add("-Dmdep.outputFile=" + out.toAbsolutePath());
    cmd.add("-Dmdep.includeScope=runtime");
    log.info("Resolving Cassandra's classpath with Maven (first start only)");
    Path mavenLog = dir.resolve("resolve.log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(mavenLog.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    try {
      if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(
            "Maven could not resolve cassandra-all (see "
                + mavenLog
                + "):\n"
                + Files.readString(mavenLog));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while resolving Cassandra's classpath", e);
    }
    return split(Files.readString(out));
  }

  private static List<String> split(String classpath) {
    return Arrays.stream(classpath.trim().split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .toList();
  }

  /** {@code $MAVEN_CMD}, else the Maven running this build, else {@code mvn} on the PATH. */
  private static String maven() {
    String cmd = System.getenv("MAVEN_CMD");
    if (cmd != null && !cmd.isBlank()) {
      return cmd;
    }
    String home = System.getProperty("maven.home");
    if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
      return Path.of(home, "bin", "mvn").toString();
    }
    return "mvn";
  }
}

package io.omnirouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests and conf/kubernetes.conf parse, and agree with each other and with the
 * router: probes on /ready and /health, the ports the config binds, seed nodes that are pods of the
 * StatefulSet behind its headless Service, Cassandra at RF 3 with QUORUM.
 */
class DeployFilesTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  static List<JsonNode> manifests() throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    YAMLMapper yaml = new YAMLMapper();
    try (Stream<Path> files = Files.list(ROOT.resolve("deploy/kubernetes"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (var it = yaml.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
          while (it.hasNext()) {
            JsonNode doc = it.next();
            if (doc != null && !doc.isEmpty()) {
              docs.add(doc);
            }
          }
        }
      }
    }
    return docs;
  }

  @Test
  void theManifestsParseAndTheDeploymentMatchesTheRouter() throws Exception {
    List<JsonNode> docs = manifests();
    Map<String, JsonNode> byKind = new HashMap<>();
    Map<String, JsonNode> services = new HashMap<>();
    for (JsonNode d : docs) {
      assertFalse(d.path("apiVersion").asText().isEmpty(), d.toString());
      assertFalse(d.path("metadata").path("name").asText().isEmpty(), d.toString());
      byKind.put(d.path("kind").asText(), d);
      if (d.path("kind").asText().equals("Service")) {
        services.put(d.path("metadata").path("name").asText(), d);
      }
    }
    assertTrue(
        byKind.keySet().containsAll(List.of("StatefulSet", "Service", "PodDisruptionBudget")),
        byKind.keySet().toString());

    JsonNode set = byKind.get("StatefulSet");
    JsonNode pod = set.path("spec").path("template");
    assertEquals("omnirouter", pod.path("metadata").path("labels").path("app").asText());
    JsonNode container = pod.path("spec").path("containers").get(0);
    assertEquals("/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
    assertEquals("/health", container.path("livenessProbe").path("httpGet").path("path").asText());
    String confFile = container.path("args").get(0).asText();
    assertTrue(new File(ROOT.toFile(), confFile).isFile(), confFile);
    Map<String, Integer> ports = new HashMap<>();
    container
        .path("ports")
        .forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));

    Config config = Main.loadConfig(new String[] {ROOT.resolve(confFile).toString()});
    assertEquals(ports.get("http"), config.getInt("omnirouter.http.port"));
    assertEquals("0.0.0.0", config.getString("omnirouter.http.interface"));
    assertEquals(ports.get("remoting"), config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(ports.get("metrics"), config.getInt("kamon.prometheus.embedded-server.port"));
    // seeds: pods 0 and 1 of the StatefulSet, by their names under the headless Service
    String headless = set.path("spec").path("serviceName").asText();
    assertTrue(services.containsKey(headless), "headless service " + headless);
    assertEquals("None", services.get(headless).path("spec").path("clusterIP").asText());
    assertTrue(set.path("spec").path("replicas").asInt() >= 3, "a majority survives one pod");
    String name = set.path("metadata").path("name").asText();
    assertEquals(
        List.of(
            "pekko://omnirouter@" + name + "-0." + headless + ":" + ports.get("remoting"),
            "pekko://omnirouter@" + name + "-1." + headless + ":" + ports.get("remoting")),
        config.getStringList("pekko.cluster.seed-nodes"));
    assertEquals(
        "keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals("QUORUM", config.getString("omnirouter.cassandra.consistency"));
    assertEquals(3, config.getInt("omnirouter.cassandra.replication-factor"));
    assertFalse(config.getBoolean("omnirouter.cassandra.schema-autocreate"));
    // the Service routes to the pods' http port
    assertEquals(
        "http",
        services.get("omnirouter").path("spec").path("ports").get(0).path("targetPort").asText());
    // every pod is a peer the entrypoint may join through
    List<String> pods = new ArrayList<>();
    for (int i = 0; i < set.path("spec").path("replicas").asInt(); i++) {
      pods.add(name + "-" + i + "." + headless);
    }
    Map<String, String> env = new HashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    assertEquals(String.join(" ", pods), env.get("OMNIROUTER_PEERS"));
    assertEquals("$(POD_NAME)." + headless, env.get("OMNIROUTER_REMOTE_HOST"));
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertTrue(dockerfile.contains("COPY deploy/entrypoint.sh bin/entrypoint.sh"), dockerfile);
    assertTrue(dockerfile.contains("ENTRYPOINT [\"bash\", \"bin/entrypoint.sh\"]"), dockerfile);
  }

  /**
   * The image's entrypoint, as the Dockerfile runs it, printing its command instead of running it.
   */
  static String entrypoint(Map<String, String> env) throws Exception {
    var pb =
        new ProcessBuilder(
                "bash", ROOT.resolve("deploy/entrypoint.sh").toString(), "conf/kubernetes.conf")
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("OMNIROUTER_DRY_RUN", "1");
    pb.environment().put("TMPDIR", Files.createTempDirectory("entrypoint").toString());
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void aPodThatFindsRoutersAnsweringJoinsThemAndNeverItself() throws Exception {
    try (var running = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      // 127.0.0.1 answers on its HTTP port (a router Up in a cluster), 127.0.0.2 does not
      Map<String, String> env =
          Map.of(
              "OMNIROUTER_PEERS", "127.0.0.1 127.0.0.2 this-pod",
              "OMNIROUTER_REMOTE_HOST", "this-pod",
              "OMNIROUTER_PEER_HTTP_PORT", String.valueOf(running.getLocalPort()));
      String out = entrypoint(env);
      assertTrue(
          out.contains("io.omnirouter.server.Main ")
              && out.contains("omnirouter-seeds.conf conf/kubernetes.conf"),
          out);
      assertTrue(
          out.contains("pekko.cluster.seed-nodes = [\"pekko://omnirouter@127.0.0.1:25520\"]"), out);

      // it is the only one answering: the configured seeds apply (pod 0 forms the cluster)
      Map<String, String> alone = new HashMap<>(env);
      alone.put("OMNIROUTER_REMOTE_HOST", "127.0.0.1");
      String first = entrypoint(alone);
      assertTrue(first.contains("io.omnirouter.server.Main conf/kubernetes.conf"), first);
      assertFalse(first.contains("seed-nodes"), first);
    }
  }
}

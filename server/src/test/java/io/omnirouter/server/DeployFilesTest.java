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
  }
}

package io.omnirouter.loadtest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.support.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * After a run: through the inbox API only, is every provider message id that was answered 2xx
 * stored exactly once? Finds each sender's contact by its identity (phone number, channel id),
 * reads its whole thread page by page, and counts. The message pages come from the read side, so it
 * asks again until nothing is missing or {@code settle} has passed (the projection may still be
 * catching up).
 */
public final class StoredOnce {
  public record Options(String baseUrl, String workspace, String token, Duration settle) {}

  /**
   * @param lost acknowledged ids not found
   * @param duplicated ids stored more than once (acknowledged or not)
   */
  public record Result(int acknowledged, int found, List<String> lost, List<String> duplicated) {}

  private final Options o;
  private final HttpClient http = HttpClient.newHttpClient();

  public StoredOnce(Options o) {
    if (!o.baseUrl().startsWith("http://127.0.0.1")
        && !o.baseUrl().startsWith("http://localhost")) {
      throw new IllegalArgumentException("verification talks to 127.0.0.1 only");
    }
    this.o = o;
  }

  /**
   * {@code acknowledged}: provider message id → the sender's identity key ({@code phone:+4915…},
   * {@code telegram:demo-bot/7000…}); a bare number is taken as a phone number.
   */
  public Result check(Map<String, String> acknowledged) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + o.settle().toNanos();
    while (true) {
      Result r = once(acknowledged);
      if ((r.lost().isEmpty() && r.duplicated().isEmpty()) || System.nanoTime() > deadline) {
        return r;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000_000L); // a CLI: waiting is its job
    }
  }

  private Result once(Map<String, String> acknowledged) throws IOException, InterruptedException {
    Map<String, Integer> counts = new HashMap<>();
    for (String identity : new HashSet<>(acknowledged.values())) {
      String contact = contactOf(identity);
      if (contact != null) {
        for (String id : inboundIds(contact)) {
          counts.merge(id, 1, Integer::sum);
        }
      }
    }
    List<String> lost = new ArrayList<>();
    for (String id : acknowledged.keySet()) {
      if (!counts.containsKey(id)) {
        lost.add(id);
      }
    }
    List<String> duplicated = new ArrayList<>();
    counts.forEach(
        (id, n) -> {
          if (n > 1) {
            duplicated.add(id);
          }
        });
    Set<String> found = new HashSet<>(acknowledged.keySet());
    found.retainAll(counts.keySet());
    return new Result(acknowledged.size(), found.size(), lost, duplicated);
  }

  private String contactOf(String identity) throws IOException, InterruptedException {
    String q = identity.contains(":") ? identity : "+" + identity;
    JsonNode items =
        get("/contacts?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8)).path("items");
    return items.size() == 0 ? null : items.get(0).path("id").asText();
  }

  private List<String> inboundIds(String contact) throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    long after = 0;
    while (true) {
      JsonNode page = get("/conversations/" + contact + "/messages?limit=200&after=" + after);
      JsonNode items = page.path("items");
      if (items.size() == 0) {
        return ids;
      }
      for (JsonNode m : items) {
        if ("in".equals(m.path("direction").asText())) {
          ids.add(m.path("messageId").asText());
        }
        after = m.path("sequence").asLong();
      }
    }
  }

  /** A GET; a 503 (the router busy, e.g. after a storm) is retried after its Retry-After. */
  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r;
    long giveUp = System.nanoTime() + o.settle().toNanos();
    while (true) {
      r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(o.baseUrl() + "/api/v1/workspaces/" + o.workspace() + path))
                  .header("Authorization", "Bearer " + o.token())
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 503 || System.nanoTime() > giveUp) {
        break;
      }
      long seconds = r.headers().firstValueAsLong("Retry-After").orElse(1);
      java.util.concurrent.locks.LockSupport.parkNanos(Math.max(1, seconds) * 1_000_000_000L);
    }
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return Json.MAPPER.readTree(r.body());
  }

  public static String summary(Result r) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("acknowledged", r.acknowledged());
    out.put("found", r.found());
    out.put("lost", r.lost().size());
    out.put("duplicated", r.duplicated().size());
    out.put("lost_ids", r.lost().subList(0, Math.min(10, r.lost().size())));
    out.put("duplicated_ids", r.duplicated().subList(0, Math.min(10, r.duplicated().size())));
    try {
      return Json.MAPPER.writeValueAsString(out);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

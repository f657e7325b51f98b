package io.omnirouter.connectors.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.omnirouter.connectors.support.Json;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** A provider API call over the Pekko HTTP client: JSON (or form) in, status and JSON out. */
public final class HttpJson {
  private final ActorSystem<?> system;
  private final long timeoutMillis;

  public HttpJson(ActorSystem<?> system, long timeoutMillis) {
    this.system = system;
    this.timeoutMillis = timeoutMillis;
  }

  public record Response(int status, JsonNode body, Map<String, String> headers) {}

  public CompletionStage<Response> postJson(String url, Map<String, String> headers, Object body) {
    try {
      byte[] json = Json.MAPPER.writeValueAsBytes(body);
      return execute(
          HttpRequest.POST(url).withEntity(ContentTypes.APPLICATION_JSON, json), headers);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public CompletionStage<Response> get(String url) {
    return execute(HttpRequest.GET(url), Map.of());
  }

  public CompletionStage<Response> postForm(String url, Map<String, String> headers, String form) {
    return execute(
        HttpRequest.POST(url).withEntity(ContentTypes.APPLICATION_X_WWW_FORM_URLENCODED, form),
        headers);
  }

  private CompletionStage<Response> execute(HttpRequest request, Map<String, String> headers) {
    HttpRequest r = request;
    for (var h : headers.entrySet()) {
      r = r.addHeader(RawHeader.create(h.getKey(), h.getValue()));
    }
    return Http.get(system)
        .singleRequest(r)
        .thenCompose(
            resp ->
                resp.entity()
                    .toStrict(timeoutMillis, system)
                    .thenApply(
                        strict -> {
                          Map<String, String> hs = new java.util.HashMap<>();
                          resp.getHeaders().forEach(h -> hs.put(h.lowercaseName(), h.value()));
                          JsonNode body;
                          try {
                            byte[] bytes = strict.getData().toArray();
                            body =
                                bytes.length == 0
                                    ? MissingNode.getInstance()
                                    : Json.MAPPER.readTree(bytes);
                          } catch (java.io.IOException e) {
                            body = MissingNode.getInstance();
                          }
                          return new Response(resp.status().intValue(), body, hs);
                        }));
  }
}

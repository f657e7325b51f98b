package io.omnirouter.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** Errors as RFC 9457 {@code application/problem+json}. */
public final class Problems {
  static final ContentType CONTENT_TYPE = ContentTypes.parse("application/problem+json");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Problems() {}

  public static HttpResponse response(StatusCode status, String detail) {
    return response(status, detail, Map.of());
  }

  /** 503 with {@code Retry-After}: the request may succeed if sent again after that long. */
  public static HttpResponse unavailable(String detail, java.time.Duration retryAfter) {
    return response(StatusCodes.SERVICE_UNAVAILABLE, detail)
        .addHeader(
            org.apache.pekko.http.javadsl.model.headers.RetryAfter.create(
                Math.max(1, retryAfter.toSeconds())));
  }

  public static HttpResponse response(StatusCode status, String detail, Map<String, ?> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", status.reason());
    body.put("status", status.intValue());
    body.put("detail", detail);
    body.putAll(extra);
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(HttpEntities.create(CONTENT_TYPE, JSON.writeValueAsBytes(body)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

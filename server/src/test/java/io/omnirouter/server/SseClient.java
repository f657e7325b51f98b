package io.omnirouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.omnirouter.connectors.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** A Server-Sent Events client for tests: reads events on its own thread into a queue. */
final class SseClient implements AutoCloseable {
  record Event(String id, String type, JsonNode data) {}

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final HttpResponse<Stream<String>> response;
  private final Thread reader;

  SseClient(HttpClient http, String url, String token, String lastEventId) throws Exception {
    var b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + token)
            .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    response = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("stream answered " + response.statusCode());
    }
    reader = new Thread(this::read, "sse-" + url);
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    String id = null;
    String type = null;
    StringBuilder data = new StringBuilder();
    try {
      for (var it = response.body().iterator(); it.hasNext(); ) {
        String line = it.next();
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(id, type, Json.MAPPER.readTree(data.toString())));
          }
          id = null;
          type = null;
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("event:")) {
          type = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        }
      }
    } catch (IOException | UncheckedIOException closed) {
      // closed by the test or the server
    }
  }

  /** The next event matching {@code p} (others are skipped), or an assertion error. */
  Event next(Predicate<Event> p, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
      if (e == null) {
        throw new AssertionError("no matching stream event within " + within);
      }
      if (p.test(e)) {
        return e;
      }
    }
  }

  /** Every event that arrives within {@code window}. */
  List<Event> drain(Duration window) throws InterruptedException {
    List<Event> out = new ArrayList<>();
    long deadline = System.nanoTime() + window.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
      if (e == null) {
        return out;
      }
      out.add(e);
    }
  }

  @Override
  public void close() {
    response.body().close();
  }
}

package io.omnirouter.loadtest.capture;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.omnirouter.connectors.support.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One provider request of a capture (a JSON Lines file): when it came ({@code t}, milliseconds from
 * the capture's start), the channel and account it was posted for, what it is ({@code message}, a
 * {@code redelivery} of an earlier message, or a delivery {@code status}), the provider message id
 * and the sender's identity key (how {@code verify} finds it), the request headers and the raw
 * body. Signature headers are not part of a capture's meaning: replay signs every request at send
 * time with the target's secrets.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaptureLine(
    long t,
    String channel,
    String account,
    String kind,
    String id,
    String contact,
    Map<String, String> headers,
    String body) {

  public static final String MESSAGE = "message";
  public static final String REDELIVERY = "redelivery";
  public static final String STATUS = "status";

  public CaptureLine {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** Whether a 2xx for it means a customer message must be stored (once). */
  public boolean carriesMessage() {
    return id != null && (MESSAGE.equals(kind) || REDELIVERY.equals(kind));
  }

  public String path() {
    return "/webhooks/" + channel + "/" + account;
  }

  public CaptureLine at(long millis) {
    return new CaptureLine(millis, channel, account, kind, id, contact, headers, body);
  }

  public static void write(Path file, List<CaptureLine> lines) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (CaptureLine line : lines) {
        w.write(Json.MAPPER.writeValueAsString(line));
        w.write('\n');
      }
    }
  }

  /** Reads a capture; a malformed line is reported with its number. */
  public static List<CaptureLine> read(Path file) throws IOException {
    List<CaptureLine> lines = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      int n = 0;
      while ((text = r.readLine()) != null) {
        n++;
        if (text.isBlank()) {
          continue;
        }
        try {
          CaptureLine line = Json.MAPPER.readValue(text, CaptureLine.class);
          if (line.channel() == null || line.account() == null || line.body() == null) {
            throw new IOException("needs channel, account and body");
          }
          lines.add(line);
        } catch (IOException e) {
          throw new UncheckedIOException(file + ":" + n + ": not a capture line", e);
        }
      }
    }
    return lines;
  }
}

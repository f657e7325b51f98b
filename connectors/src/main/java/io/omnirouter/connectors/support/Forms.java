package io.omnirouter.connectors.support;

import io.omnirouter.connectors.spi.WebhookException;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Form bodies: {@code application/x-www-form-urlencoded} and {@code multipart/form-data}. */
public final class Forms {
  private Forms() {}

  public static Map<String, String> parse(String contentType, byte[] body) throws WebhookException {
    String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
    if (type.startsWith("multipart/form-data")) {
      return multipart(contentType, body);
    }
    if (type.startsWith("application/x-www-form-urlencoded")) {
      return urlEncoded(new String(body, StandardCharsets.UTF_8));
    }
    throw WebhookException.malformed(
        "expected a form body, got " + (contentType == null ? "none" : contentType));
  }

  public static Map<String, String> urlEncoded(String body) throws WebhookException {
    Map<String, String> out = new LinkedHashMap<>();
    if (body.isEmpty()) {
      return out;
    }
    try {
      for (String pair : body.split("&")) {
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.put(k, v);
      }
      return out;
    } catch (IllegalArgumentException e) {
      throw WebhookException.malformed("bad form encoding");
    }
  }

  /** Text fields only; file parts (attachments) are skipped. */
  private static Map<String, String> multipart(String contentType, byte[] body)
      throws WebhookException {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      MimeMultipart mp = new MimeMultipart(new ByteArrayDataSource(body, contentType));
      for (int i = 0; i < mp.getCount(); i++) {
        BodyPart part = mp.getBodyPart(i);
        String[] disposition = part.getHeader("Content-Disposition");
        if (disposition == null) {
          continue;
        }
        ContentDisposition cd = new ContentDisposition(disposition[0]);
        String name = cd.getParameter("name");
        if (name == null || cd.getParameter("filename") != null) {
          continue;
        }
        Object content = part.getContent();
        out.put(
            name,
            content instanceof String s
                ? s
                : new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
      return out;
    } catch (MessagingException | IOException e) {
      throw WebhookException.malformed("bad multipart body: " + e.getMessage());
    }
  }
}

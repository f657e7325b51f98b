package io.omnirouter.connectors.spi;

/** A webhook that must be refused; {@code status} is the HTTP status to answer (4xx). */
public final class WebhookException extends Exception {
  private final int status;

  private WebhookException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** 401: the signature (or token) does not match; nothing is stored. */
  public static WebhookException unauthorized(String message) {
    return new WebhookException(401, message);
  }

  /** 400: correctly signed but not a payload we can read; nothing is stored. */
  public static WebhookException malformed(String message) {
    return new WebhookException(400, message);
  }

  /** 403: a verification handshake with the wrong token. */
  public static WebhookException forbidden(String message) {
    return new WebhookException(403, message);
  }

  public int status() {
    return status;
  }
}

package io.omnirouter.connectors.line;

import io.omnirouter.core.model.ProviderError;
import io.omnirouter.core.model.ProviderError.Outcome;

/** LINE Messaging API errors. */
public final class LineErrors {
  private LineErrors() {}

  public static ProviderError map(int status, String message) {
    // an expired or used reply token: the free reply window is over (push still works)
    if (status == 400 && message.contains("Invalid reply token")) {
      return new ProviderError("invalid-reply-token", message, Outcome.WINDOW_CLOSED);
    }
    Outcome outcome =
        switch (status) {
          case 429 -> Outcome.RATE_LIMITED;
          case 403 -> Outcome.RECIPIENT_UNREACHABLE;
          default -> status >= 500 ? Outcome.TRANSIENT : Outcome.REJECTED;
        };
    return new ProviderError(Integer.toString(status), message, outcome);
  }
}

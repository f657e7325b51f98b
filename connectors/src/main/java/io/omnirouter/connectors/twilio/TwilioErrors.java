package io.omnirouter.connectors.twilio;

import io.omnirouter.core.model.ProviderError;
import io.omnirouter.core.model.ProviderError.Outcome;

/** Twilio messaging error codes. */
public final class TwilioErrors {
  private TwilioErrors() {}

  public static ProviderError map(String code, String message) {
    Outcome outcome =
        switch (code) {
          case "21610" -> Outcome.RECIPIENT_UNREACHABLE; // the recipient replied STOP
          case "30003", "30005", "30006" -> Outcome.RECIPIENT_UNREACHABLE;
          case "20429", "14107" -> Outcome.RATE_LIMITED;
          case "30001", "30008", "20500", "20503" -> Outcome.TRANSIENT;
          default -> Outcome.REJECTED;
        };
    return new ProviderError(code, message, outcome);
  }
}

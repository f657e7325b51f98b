package io.omnirouter.connectors.whatsapp;

import io.omnirouter.core.model.ProviderError;
import io.omnirouter.core.model.ProviderError.Outcome;

/** WhatsApp Cloud API error codes mapped to what they mean for us. */
public final class WhatsAppErrors {
  private WhatsAppErrors() {}

  public static ProviderError map(String code, String message) {
    Outcome outcome =
        switch (code == null ? "" : code) {
            // more than 24 hours since the customer last replied
          case "131047" -> Outcome.WINDOW_CLOSED;
          case "130429", "131056", "4", "80007" -> Outcome.RATE_LIMITED;
          case "131000", "131016", "1", "2", "133004" -> Outcome.TRANSIENT;
          case "131026", "131021", "131050" -> Outcome.RECIPIENT_UNREACHABLE;
          default -> Outcome.REJECTED;
        };
    return new ProviderError(code, message, outcome);
  }
}

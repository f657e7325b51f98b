package io.omnirouter.connectors.meta;

import io.omnirouter.core.model.ProviderError;
import io.omnirouter.core.model.ProviderError.Outcome;

/** Graph API errors of the Send API (Messenger, Instagram). */
public final class MetaErrors {
  private MetaErrors() {}

  public static ProviderError map(String code, String subcode, String message) {
    // code 10 / subcode 2018278: "This message is sent outside of allowed window"
    if ("10".equals(code) && "2018278".equals(subcode)) {
      return new ProviderError(code + "/" + subcode, message, Outcome.WINDOW_CLOSED);
    }
    Outcome outcome =
        switch (code == null ? "" : code) {
          case "4", "613", "32" -> Outcome.RATE_LIMITED;
          case "1", "2" -> Outcome.TRANSIENT;
          case "551" -> Outcome.RECIPIENT_UNREACHABLE;
          default -> Outcome.REJECTED;
        };
    return new ProviderError(subcode == null ? code : code + "/" + subcode, message, outcome);
  }
}

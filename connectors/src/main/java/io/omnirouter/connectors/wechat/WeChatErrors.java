package io.omnirouter.connectors.wechat;

import io.omnirouter.core.model.ProviderError;
import io.omnirouter.core.model.ProviderError.Outcome;

/** WeChat customer-service API {@code errcode}s. */
public final class WeChatErrors {
  private WeChatErrors() {}

  public static ProviderError map(String code, String message) {
    Outcome outcome =
        switch (code == null ? "" : code) {
            // response out of time limit or subscription is canceled (48 h window)
          case "45015" -> Outcome.WINDOW_CLOSED;
          case "45009", "45047" -> Outcome.RATE_LIMITED;
          case "-1" -> Outcome.TRANSIENT;
          case "43004", "40003" -> Outcome.RECIPIENT_UNREACHABLE;
          default -> Outcome.REJECTED;
        };
    return new ProviderError(code, message, outcome);
  }
}

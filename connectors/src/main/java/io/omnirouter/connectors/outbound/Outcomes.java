package io.omnirouter.connectors.outbound;

import io.omnirouter.connectors.spi.SendFailure;
import io.omnirouter.core.model.ProviderError;

/** HTTP-level outcomes every provider shares: 429 is rate limiting, 5xx is transient. */
public final class Outcomes {
  private Outcomes() {}

  /**
   * A failure for a non-2xx answer, letting {@code specific} map the provider's own error first.
   */
  public static SendFailure failure(HttpJson.Response r, ProviderError specific) {
    if (r.status() == 429) {
      return new SendFailure(
          new ProviderError("429", "rate limited", ProviderError.Outcome.RATE_LIMITED));
    }
    if (r.status() >= 500) {
      return new SendFailure(
          new ProviderError(
              Integer.toString(r.status()), "provider error", ProviderError.Outcome.TRANSIENT));
    }
    return new SendFailure(specific);
  }
}

package io.omnirouter.core.model;

/**
 * A provider's error, mapped to what it means for us.
 *
 * @param code the provider's code (e.g. WhatsApp 131047, WeChat 45015)
 */
public record ProviderError(String code, String message, Outcome outcome) {

  /** What the router does about an error. */
  public enum Outcome {
    /** the channel's reply window is closed: use a template, a tag or another channel */
    WINDOW_CLOSED,
    /** too many requests: retry after backing off */
    RATE_LIMITED,
    /** the provider failed: retry */
    TRANSIENT,
    /** the recipient cannot be reached (blocked, unknown, opted out) */
    RECIPIENT_UNREACHABLE,
    /** our request was wrong or unauthorized: do not retry */
    REJECTED
  }

  public boolean retryable() {
    return outcome == Outcome.RATE_LIMITED || outcome == Outcome.TRANSIENT;
  }
}

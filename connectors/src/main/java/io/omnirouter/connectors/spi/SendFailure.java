package io.omnirouter.connectors.spi;

import io.omnirouter.core.model.ProviderError;

/** A send the provider refused, with what the refusal means. */
public final class SendFailure extends RuntimeException {
  private final ProviderError error;

  public SendFailure(ProviderError error) {
    super(error.code() + ": " + error.message(), null, false, false);
    this.error = error;
  }

  public ProviderError error() {
    return error;
  }
}

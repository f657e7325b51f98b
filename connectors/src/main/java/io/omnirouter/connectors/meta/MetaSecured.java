package io.omnirouter.connectors.meta;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelConnector;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import java.util.Optional;

/** A connector secured the Meta way (WhatsApp, Messenger, Instagram): see {@link MetaSignature}. */
public interface MetaSecured extends ChannelConnector {

  @Override
  default void validate(AccountSettings account) {
    MetaSignature.validate(account);
  }

  @Override
  default void verify(WebhookRequest request, AccountSettings account) throws WebhookException {
    MetaSignature.verify(request, account);
  }

  @Override
  default Optional<String> handshake(WebhookRequest request, AccountSettings account)
      throws WebhookException {
    return MetaSignature.handshake(request, account);
  }
}

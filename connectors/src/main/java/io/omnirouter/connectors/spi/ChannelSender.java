package io.omnirouter.connectors.spi;

import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundRequest;
import java.util.concurrent.CompletionStage;

/**
 * One channel's outbound side: one attempt to hand a message to the provider. Completes with the
 * provider's message id, or fails with {@link SendFailure} carrying the mapped provider error.
 * Retries, throttling and recording the result are the dispatcher's job.
 */
public interface ChannelSender {
  Channel channel();

  CompletionStage<String> send(OutboundRequest request, AccountSettings account);
}

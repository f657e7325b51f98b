package io.omnirouter.connectors.webchat;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.connectors.spi.SendFailure;
import io.omnirouter.connectors.support.Json;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.model.ProviderError;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Pushes an agent's reply to the visitor's live socket; a visitor who left makes it fail visibly.
 */
public final class WebChatSender implements ChannelSender {
  private final WebChatSessions sessions;

  public WebChatSender(WebChatSessions sessions) {
    this.sessions = sessions;
  }

  @Override
  public Channel channel() {
    return Channel.WEBCHAT;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("type", "message");
    frame.put("id", r.messageId());
    frame.put("from", "agent");
    frame.put("text", r.content().text());
    if (r.content().mediaUrl() != null) {
      frame.put("mediaUrl", r.content().mediaUrl());
    }
    try {
      if (sessions.push(account.account(), r.recipient(), Json.MAPPER.writeValueAsString(frame))) {
        return CompletableFuture.completedFuture("web:" + r.messageId());
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return CompletableFuture.failedFuture(
        new SendFailure(
            new ProviderError(
                "visitor-offline",
                "the visitor's session has ended",
                ProviderError.Outcome.RECIPIENT_UNREACHABLE)));
  }
}

package io.omnirouter.server;

import io.omnirouter.connectors.email.SmtpSender;
import io.omnirouter.connectors.line.LineSender;
import io.omnirouter.connectors.meta.MessengerSender;
import io.omnirouter.connectors.outbound.HttpJson;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.connectors.telegram.TelegramSender;
import io.omnirouter.connectors.twilio.TwilioSender;
import io.omnirouter.connectors.viber.ViberSender;
import io.omnirouter.connectors.webchat.WebChatSender;
import io.omnirouter.connectors.webchat.WebChatSessions;
import io.omnirouter.connectors.wechat.WeChatSender;
import io.omnirouter.connectors.whatsapp.WhatsAppSender;
import io.omnirouter.core.model.Channel;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/** The outbound senders, one per channel, sharing one HTTP client. */
final class Senders {
  private Senders() {}

  static Map<Channel, ChannelSender> all(
      ActorSystem<?> system, com.typesafe.config.Config config, WebChatSessions webchat) {
    HttpJson http =
        new HttpJson(system, config.getDuration("omnirouter.outbound.request-timeout").toMillis());
    Map<Channel, ChannelSender> out = new EnumMap<>(Channel.class);
    for (ChannelSender s :
        List.of(
            new WhatsAppSender(http),
            new MessengerSender(http, Channel.MESSENGER),
            new MessengerSender(http, Channel.INSTAGRAM),
            new WeChatSender(http, java.time.Clock.systemUTC()),
            new TelegramSender(http),
            new LineSender(http),
            new ViberSender(http),
            new TwilioSender(http),
            // Jakarta Mail blocks: it gets its own dispatcher
            new SmtpSender(
                system
                    .dispatchers()
                    .lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking())),
            new WebChatSender(webchat))) {
      out.put(s.channel(), s);
    }
    return out;
  }
}

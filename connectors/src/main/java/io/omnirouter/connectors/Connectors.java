package io.omnirouter.connectors;

import io.omnirouter.connectors.email.MailgunConnector;
import io.omnirouter.connectors.email.ReplayGuard;
import io.omnirouter.connectors.line.LineConnector;
import io.omnirouter.connectors.meta.MessengerConnector;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelConnector;
import io.omnirouter.connectors.telegram.TelegramConnector;
import io.omnirouter.connectors.twilio.TwilioConnector;
import io.omnirouter.connectors.viber.ViberConnector;
import io.omnirouter.connectors.wechat.WeChatConnector;
import io.omnirouter.connectors.whatsapp.WhatsAppConnector;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.workspace.Workspaces;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The channel connectors and the configured channel accounts. An account name is unique per channel
 * across workspaces (it is in the webhook URL); every account's settings are checked at start.
 */
public final class Connectors {
  private final Map<Channel, ChannelConnector> byChannel = new EnumMap<>(Channel.class);
  private final Map<String, AccountSettings> accounts = new HashMap<>();

  public Connectors(Workspaces workspaces, Clock clock) {
    for (ChannelConnector c :
        List.of(
            new WhatsAppConnector(),
            MessengerConnector.messenger(),
            MessengerConnector.instagram(),
            new WeChatConnector(),
            new TelegramConnector(),
            new LineConnector(),
            new ViberConnector(),
            new TwilioConnector(),
            new MailgunConnector(clock, new ReplayGuard(100_000)))) {
      byChannel.put(c.channel(), c);
    }
    for (Workspaces.Workspace ws : workspaces.byId().values()) {
      for (Workspaces.ChannelAccount a : ws.channels()) {
        AccountSettings settings = new AccountSettings(ws.id(), a.account(), a.settings());
        ChannelConnector connector = byChannel.get(a.channel());
        if (connector != null) {
          connector.validate(settings);
        }
        AccountSettings clash = accounts.put(key(a.channel(), a.account()), settings);
        if (clash != null) {
          throw new IllegalStateException(
              "channel account "
                  + a.channel().key()
                  + "/"
                  + a.account()
                  + " is declared in workspaces "
                  + clash.workspace()
                  + " and "
                  + ws.id());
        }
      }
    }
  }

  public Optional<ChannelConnector> connector(Channel channel) {
    return Optional.ofNullable(byChannel.get(channel));
  }

  public Optional<AccountSettings> account(Channel channel, String account) {
    return Optional.ofNullable(accounts.get(key(channel, account)));
  }

  private static String key(Channel channel, String account) {
    return channel.key() + "/" + account;
  }
}

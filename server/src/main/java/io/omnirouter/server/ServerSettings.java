package io.omnirouter.server;

import com.typesafe.config.Config;
import io.omnirouter.server.live.LiveHub;
import java.time.Duration;

/** Settings from {@code omnirouter.http} and the live hub's from {@code omnirouter.read-side}. */
public record ServerSettings(
    String interfaceName,
    int port,
    Duration askTimeout,
    Duration readinessTimeout,
    LiveHub.Settings liveHub) {

  public static ServerSettings fromConfig(Config root) {
    Config c = root.getConfig("omnirouter.http");
    return new ServerSettings(
        c.getString("interface"),
        c.getInt("port"),
        c.getDuration("ask-timeout"),
        c.getDuration("readiness-timeout"),
        new LiveHub.Settings(
            root.getInt("omnirouter.read-side.live-recent-events"),
            root.getDuration("omnirouter.read-side.live-recent-for")));
  }
}

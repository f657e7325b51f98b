package io.omnirouter.server;

import com.typesafe.config.Config;
import java.time.Duration;

/** Settings from {@code omnirouter.http}. */
public record ServerSettings(
    String interfaceName, int port, Duration askTimeout, Duration readinessTimeout) {

  public static ServerSettings fromConfig(Config root) {
    Config c = root.getConfig("omnirouter.http");
    return new ServerSettings(
        c.getString("interface"),
        c.getInt("port"),
        c.getDuration("ask-timeout"),
        c.getDuration("readiness-timeout"));
  }
}

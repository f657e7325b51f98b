package io.omnirouter.connectors.spi;

import com.typesafe.config.Config;

/**
 * A channel account's settings from the workspace config (secrets come in through {@code ${?ENV}}
 * substitutions there). Missing required secrets fail at start, not per request.
 */
public record AccountSettings(String workspace, String account, Config config) {

  public String require(String key) {
    if (!config.hasPath(key) || config.getString(key).isBlank()) {
      throw new IllegalStateException(
          "channel account " + account + " in workspace " + workspace + " needs '" + key + "'");
    }
    return config.getString(key);
  }

  public String optional(String key, String fallback) {
    return config.hasPath(key) && !config.getString(key).isBlank()
        ? config.getString(key)
        : fallback;
  }
}

package io.omnirouter.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns {@code omnirouter.cassandra} into the driver's settings where HOCON substitution cannot:
 * contact points given as one comma-separated string (an environment variable) and credentials.
 */
public final class CassandraConfig {
  private CassandraConfig() {}

  /** {@code config} with {@code datastax-java-driver} contact points and auth filled in. */
  public static Config withDriverSettings(Config config) {
    Config c = config.getConfig("omnirouter.cassandra");
    Map<String, Object> driver = new HashMap<>();
    driver.put("datastax-java-driver.basic.contact-points", contactPoints(c));
    String user = c.getString("username");
    if (!user.isBlank()) {
      driver.put("datastax-java-driver.advanced.auth-provider.class", "PlainTextAuthProvider");
      driver.put("datastax-java-driver.advanced.auth-provider.username", user);
      driver.put("datastax-java-driver.advanced.auth-provider.password", c.getString("password"));
    }
    return ConfigFactory.parseMap(driver).withFallback(config);
  }

  static List<String> contactPoints(Config c) {
    List<String> points =
        c.getValue("contact-points").valueType() == ConfigValueType.LIST
            ? c.getStringList("contact-points")
            : Arrays.stream(c.getString("contact-points").split(",")).map(String::trim).toList();
    List<String> clean = points.stream().filter(p -> !p.isBlank()).toList();
    if (clean.isEmpty()) {
      throw new IllegalArgumentException("omnirouter.cassandra.contact-points is empty");
    }
    return clean;
  }
}

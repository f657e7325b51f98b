package io.omnirouter.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class CassandraConfigTest {

  private static Config load(String app) {
    return CassandraConfig.withDriverSettings(
        ConfigFactory.load(
            ConfigFactory.parseString(app)
                .withFallback(ConfigFactory.parseResources("omnirouter-persistence.conf"))));
  }

  @Test
  void contactPointsFromACommaSeparatedStringAsAnEnvironmentVariableGivesThem() {
    Config c = load("omnirouter.cassandra.contact-points = \"10.0.0.1:9042, 10.0.0.2:9042\"");
    assertEquals(
        List.of("10.0.0.1:9042", "10.0.0.2:9042"),
        c.getStringList("datastax-java-driver.basic.contact-points"));
  }

  @Test
  void keyspaceReplicationAndConsistencyFlowIntoThePlugin() {
    Config c =
        load(
            "omnirouter.cassandra { keyspace = prod, replication-factor = 3, consistency = LOCAL_QUORUM }");
    assertEquals("prod", c.getString("pekko.persistence.cassandra.journal.keyspace"));
    assertEquals("prod", c.getString("pekko.persistence.cassandra.snapshot.keyspace"));
    assertEquals(3, c.getInt("pekko.persistence.cassandra.journal.replication-factor"));
    assertEquals(
        "LOCAL_QUORUM",
        c.getString(
            "datastax-java-driver.profiles.pekko-persistence-cassandra-profile.basic.request.consistency"));
    assertEquals(
        "LOCAL_QUORUM",
        c.getString(
            "datastax-java-driver.profiles.pekko-persistence-cassandra-snapshot-profile.basic.request.consistency"));
  }

  @Test
  void credentialsEnablePlainTextAuthOnlyWhenGiven() {
    assertFalse(load("").hasPath("datastax-java-driver.advanced.auth-provider.username"));
    Config c = load("omnirouter.cassandra { username = router, password = s3cret }");
    assertEquals("router", c.getString("datastax-java-driver.advanced.auth-provider.username"));
    assertEquals("s3cret", c.getString("datastax-java-driver.advanced.auth-provider.password"));
    assertEquals(
        "PlainTextAuthProvider", c.getString("datastax-java-driver.advanced.auth-provider.class"));
  }

  @Test
  void emptyContactPointsAreAConfigurationError() {
    assertThrows(
        IllegalArgumentException.class, () -> load("omnirouter.cassandra.contact-points = \"\""));
  }
}

package io.omnirouter.persistence;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.persistence.cassandra.EmbeddedCassandra;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddedCassandraTest {

  @Test
  void startsARealCassandraAndReusesTheOneAlreadyListening() throws Exception {
    TestCassandra.ensureStarted();
    assertTrue(EmbeddedCassandra.isListening("127.0.0.1", TestCassandra.CQL_PORT));

    Path root = Path.of(System.getProperty("omnirouter.root", "..")).toAbsolutePath();
    var options =
        EmbeddedCassandra.Options.defaults(
                Files.createTempDirectory("reuse"), root.resolve("conf/cassandra.yaml"))
            .withPorts(
                TestCassandra.CQL_PORT, TestCassandra.CQL_PORT + 1, TestCassandra.CQL_PORT + 2);
    try (EmbeddedCassandra second = EmbeddedCassandra.start(options)) {
      assertFalse(second.owned(), "a second start must reuse, not fork another Cassandra");
    }
    assertTrue(
        EmbeddedCassandra.isListening("127.0.0.1", TestCassandra.CQL_PORT),
        "closing a reused instance must not stop it");
  }
}

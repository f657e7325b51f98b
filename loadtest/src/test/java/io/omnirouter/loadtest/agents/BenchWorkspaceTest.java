package io.omnirouter.loadtest.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.omnirouter.connectors.Connectors;
import io.omnirouter.core.workspace.Workspaces;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class BenchWorkspaceTest {
  @Test
  void theConfigIsAValidWorkspaceWithItsAgentsAndEveryChannelAccount() {
    BenchWorkspace ws = new BenchWorkspace("bench");
    var config = ConfigFactory.parseString(ws.config(1000, 5, 9481));
    Workspaces workspaces = Workspaces.fromConfig(config);
    var bench = workspaces.byId().get("bench");
    assertEquals(1000, bench.agents().size());
    assertEquals(6, bench.channels().size());
    new Connectors(workspaces, Clock.systemUTC()); // validates every account's settings
    assertEquals(
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        io.omnirouter.connectors.support.Signatures.sha256Hex("test"));
  }

  @Test
  void theDemoWorkspaceIsNotABenchWorkspace() {
    assertThrows(IllegalArgumentException.class, () -> new BenchWorkspace("demo"));
  }
}

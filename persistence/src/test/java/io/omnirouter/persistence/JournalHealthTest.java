package io.omnirouter.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.persistence.testkit.TestCassandra;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The readiness probe on the real Cassandra. The router's journal refuses deletes (so that
 * recoveries skip the lookup of deleted events); the probe, which keeps one snapshot and deletes
 * the events before it, writes through its own copy of the plugin.
 */
class JournalHealthTest {
  static ActorTestKit kit;

  @BeforeAll
  static void start() throws Exception {
    kit = TestCassandra.journalKit("journal-health");
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void theRoutersJournalDoesNotLookUpDeletesButTheProbesDoes() {
    var config = kit.system().settings().config();
    assertFalse(config.getBoolean("pekko.persistence.cassandra.journal.support-deletes"));
    assertTrue(config.getBoolean("omnirouter.health-journal.journal.support-deletes"));
    assertEquals(
        config.getString("pekko.persistence.cassandra.journal.keyspace"),
        config.getString("omnirouter.health-journal.journal.keyspace"));
  }

  @Test
  void checksPastSeveralSnapshotsStayHealthyAndKeepOnlyTheEventsAfterTheLastSnapshot()
      throws Exception {
    String node = "probe-" + UUID.randomUUID();
    var health = kit.spawn(JournalHealth.create(node, Duration.ofSeconds(10)));
    // the probe snapshots every 20 pings and deletes the events before the snapshot
    for (int i = 1; i <= 45; i++) {
      assertTrue(
          JournalHealth.ok(health, Duration.ofSeconds(10), kit.system().scheduler())
              .toCompletableFuture()
              .get(15, TimeUnit.SECONDS),
          "check " + i);
    }
    var session = TestCassandra.session(kit.system());
    // deletes run after the snapshot is saved; the probe's next checks do not wait for them.
    // 45 events written; the snapshot at 40, keeping one snapshot's worth, deletes 1..20 (Pekko's
    // retention: up to 40 - 20); a journal that cannot delete keeps all 45
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(20),
            () -> {
              long stored =
                  session
                      .selectOne(
                          "SELECT count(*) FROM "
                              + TestCassandra.KEYSPACE
                              + ".messages WHERE persistence_id = ? AND partition_nr = 0",
                          "JournalHealth|" + node)
                      .toCompletableFuture()
                      .join()
                      .map(row -> row.getLong(0))
                      .orElse(0L);
              assertEquals(25, stored);
              return null;
            });
  }
}

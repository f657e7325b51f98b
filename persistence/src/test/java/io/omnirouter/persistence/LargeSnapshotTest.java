package io.omnirouter.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.routing.QueuedConversation;
import io.omnirouter.core.team.TeamRouter;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A team router's snapshot holds its whole queue. Uncompressed, a queue entry is about 250 bytes of
 * CBOR, and Cassandra refuses a write larger than half its commit log segment (16 MiB here): a team
 * with some 65,000 conversations waiting (a night with the team offline, a spam wave) could no
 * longer snapshot, and each recovery would replay everything since its last snapshot. Large
 * payloads are compressed (omnirouter-persistence.conf).
 */
class LargeSnapshotTest {
  static ActorTestKit kit;

  @BeforeAll
  static void start() throws Exception {
    kit = TestCassandra.journalKit("large-snapshot");
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static TeamRouter.State queueOf(int n) {
    Instant at = Instant.parse("2026-11-24T22:00:00Z");
    Map<String, QueuedConversation> queued = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String id =
          "bench~"
              + UUID.nameUUIDFromBytes(("c" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      queued.put(
          id,
          new QueuedConversation(
              id, 1, 0, at.plusSeconds(86_400 + i), at.plusMillis(i), "en", Set.of(), null, null));
    }
    return new TeamRouter.State(queued);
  }

  @Test
  void aTeamWithEightyThousandQueuedSnapshotsAndRecoversItsQueue() throws Exception {
    TeamRouter.State state = queueOf(80_000);
    var serialization = SerializationExtension.get(kit.system());
    int plain =
        org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider.get(kit.system())
            .getOrCreate("jackson-cbor", java.util.Optional.empty())
            .writeValueAsBytes(state)
            .length;
    int stored = serialization.serialize(state).get().length;
    assertTrue(plain > 16 << 20, "the queue is larger than Cassandra's largest write: " + plain);
    assertTrue(stored < plain / 3, "stored " + stored + " of " + plain + " bytes");

    var store =
        Persistence.get(Adapter.toClassic(kit.system()))
            .snapshotStoreFor("", com.typesafe.config.ConfigFactory.empty());
    String pid = "TeamRouter|large~" + UUID.randomUUID();
    Object saved =
        Patterns.ask(
                store,
                new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata(pid, 40_000, 0L), state),
                Duration.ofSeconds(30))
            .toCompletableFuture()
            .get(35, TimeUnit.SECONDS);
    assertInstanceOf(
        org.apache.pekko.persistence.SaveSnapshotSuccess.class, saved, saved.toString());

    Object loaded =
        Patterns.ask(
                store,
                new SnapshotProtocol.LoadSnapshot(
                    pid, SnapshotSelectionCriteria.latest(), Long.MAX_VALUE),
                Duration.ofSeconds(30))
            .toCompletableFuture()
            .get(35, TimeUnit.SECONDS);
    SelectedSnapshot snapshot = ((SnapshotProtocol.LoadSnapshotResult) loaded).snapshot().get();
    assertEquals(40_000, snapshot.metadata().sequenceNr());
    assertEquals(state, snapshot.snapshot());
  }
}

package io.omnirouter.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Await;
import scala.jdk.javaapi.CollectionConverters;

class StayingAllocationTest {
  static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static ActorRef region() {
    return Adapter.toClassic(kit.createTestProbe().getRef());
  }

  static IndexedSeq<String> shards(String... ids) {
    return CollectionConverters.asScala(List.of(ids)).toIndexedSeq();
  }

  static <T> T await(scala.concurrent.Future<T> f) throws Exception {
    return Await.result(
        f, scala.concurrent.duration.Duration.fromNanos(Duration.ofSeconds(1).toNanos()));
  }

  @Test
  void aPartitionNeedingAHomeGoesToTheNodeWithTheFewestTheAskingOneOnATie() throws Exception {
    ActorRef a = region();
    ActorRef b = region();
    ActorRef fresh = region();
    var strategy = new StayingAllocation();
    assertEquals(
        fresh,
        await(
            strategy.allocateShard(
                a, "5", Map.of(a, shards("1", "2"), b, shards("3"), fresh, shards()))));
    assertEquals(b, await(strategy.allocateShard(b, "5", Map.of(a, shards("1"), b, shards("3")))));
    assertEquals(a, await(strategy.allocateShard(a, "5", Map.of(a, shards("1"), b, shards("3")))));
  }

  @Test
  void runningPartitionsAreNeverMovedToANodeThatJoined() throws Exception {
    ActorRef a = region();
    ActorRef b = region();
    ActorRef joined = region();
    Set<String> moved =
        await(
            new StayingAllocation()
                .rebalance(
                    Map.of(
                        a,
                        shards("0", "1", "2", "3"),
                        b,
                        shards("4", "5", "6", "7"),
                        joined,
                        shards()),
                    Set.of()));
    assertTrue(moved.isEmpty(), "moved: " + moved);
  }
}

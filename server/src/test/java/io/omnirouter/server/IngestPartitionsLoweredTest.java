package io.omnirouter.server;

import static org.awaitility.Awaitility.await;

import io.omnirouter.core.contact.Identity;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.ingest.IngestEntry;
import io.omnirouter.core.ingest.IngestStore;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.persistence.CassandraIngestStore;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1 across a configuration change: entries acknowledged into an ingest partition that a
 * lowered {@code omnirouter.ingest.partitions} no longer has still reach their threads.
 */
class IngestPartitionsLoweredTest {

  @Test
  void entriesLeftInAPartitionAboveTheNewCountStillReachTheirThreads() throws Exception {
    String ws = "lo" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String account = "wa-" + ws;
    String phone = WebhookIngestTest.phone();
    // what a router with eight partitions acknowledged into p5 and had not fed when it stopped
    ActorTestKit before = ActorTestKit.create("partitions-before", TestCassandra.config(""));
    try {
      IngestStore store = CassandraIngestStore.start(before.system());
      IngestStore.Recovered p5 =
          store.recover("p5").toCompletableFuture().get(60, TimeUnit.SECONDS);
      long next =
          p5.rows().stream().mapToLong(IngestStore.Row::seq).max().orElse(p5.watermark()) + 1;
      IngestEntry entry =
          IngestEntry.of(
              ws,
              Channel.WHATSAPP,
              account,
              new Inbound.Message(
                  new InboundMessage(
                      Channel.WHATSAPP,
                      account,
                      "wamid.left-" + phone,
                      phone,
                      "acknowledged before the change",
                      Instant.now()),
                  List.of(),
                  "Lee"));
      store
          .append("p5", new IngestStore.Row(next, "before-" + ws, List.of(entry)))
          .toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } finally {
      before.shutdownTestKit();
    }

    var config =
        TestCassandra.config(
            DurabilityTest.workspaceConf(ws) + "omnirouter.ingest.partitions = 2\n");
    try (var router = new InProcessRouter("partitions-lowered", config)) {
      await("the entry left in p5 reaches its thread")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          // not contactOf: it waits for every partition to drain, and the test Cassandra's
          // partitions also hold what earlier tests' routers left for their own workspaces
          .until(
              () ->
                  router
                          .core
                          .identity(ws, IdentityKey.phone(phone))
                          .<Identity.LookupResult>ask(Identity.Lookup::new, InProcessRouter.T)
                          .toCompletableFuture()
                          .get(30, TimeUnit.SECONDS)
                          .contactId()
                      != null);
    }
  }
}

package io.omnirouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.omnirouter.core.contact.Identity;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.workspace.Workspaces;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.Test;

/**
 * An idle conversation stops itself (bounded memory); a snoozed one stays up so its timer fires.
 */
class PassivationTest {

  @Test
  void idleConversationsPassivateExceptSnoozedOnes() throws Exception {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                pekko.loglevel = WARNING
                omnirouter.conversation.passivate-after = 1s
                omnirouter.workspaces.p {
                  name = P
                  teams = [ { id = desk, name = Desk, strategy = manual } ]
                  agents = []
                  channels = [ { channel = whatsapp, account = wa-1, default-team = desk } ]
                }
                """)
            .withFallback(PersistenceTestKitPlugin.getInstance().config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());
    ActorTestKit kit = ActorTestKit.create("PassivationTest", config);
    try {
      Cluster cluster = Cluster.get(kit.system());
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      RouterCore core = RouterCore.init(kit.system(), Workspaces.fromConfig(config));
      Duration t = Duration.ofSeconds(10);
      String idle = contact(core, "4915100000001", t);
      String snoozed = contact(core, "4915100000002", t);
      // a snooze needs an assignee: the conversation accepts an offer for its first episode
      var offer =
          new io.omnirouter.core.routing.Assignment(
              EntityIds.of("p", snoozed),
              1,
              "agent-x",
              "desk",
              new io.omnirouter.core.routing.Assignment.Reason("manual", List.of(), "test"),
              true,
              Instant.now());
      core.conversation("p", snoozed)
          .<io.omnirouter.core.team.TeamRouter.OfferReply>ask(
              r -> new Conversation.Offer(offer, r), t)
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      var snooze =
          core.conversation("p", snoozed)
              .<StatusReply<Conversation.Summary>>ask(
                  r -> new Conversation.Snooze(Instant.now().plusSeconds(3600), "sup", r), t)
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      assertTrue(snooze.isSuccess(), String.valueOf(snooze));

      TestProbe<ShardRegion.CurrentShardRegionState> probe = kit.createTestProbe();
      probe.awaitAssert(
          Duration.ofSeconds(10),
          Duration.ofMillis(200),
          () -> {
            Set<String> live = liveConversations(kit, probe);
            assertFalse(
                live.contains(EntityIds.of("p", idle)),
                "the idle conversation passivated: " + live);
            assertTrue(
                live.contains(EntityIds.of("p", snoozed)),
                "the snoozed one stays up for its timer: " + live);
            return null;
          });
      // its state comes back on demand
      assertEquals(
          1,
          core.conversation("p", idle)
              .ask(Conversation.GetSummary::new, t)
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS)
              .messageCount());
    } finally {
      kit.shutdownTestKit();
    }
  }

  static String contact(RouterCore core, String phone, Duration t) throws Exception {
    var msg =
        new InboundMessage(Channel.WHATSAPP, "wa-1", "wamid." + phone, phone, "hi", Instant.now());
    core.receive("p", msg, List.of(), null, t).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return core.identity("p", IdentityKey.phone(phone))
        .<Identity.LookupResult>ask(Identity.Lookup::new, t)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .contactId();
  }

  static Set<String> liveConversations(
      ActorTestKit kit, TestProbe<ShardRegion.CurrentShardRegionState> probe) {
    ClusterSharding.get(kit.system())
        .shardState()
        .tell(new GetShardRegionState(Conversation.ENTITY_KEY, probe.getRef()));
    Set<String> ids = new HashSet<>();
    probe.receiveMessage().getShards().forEach(s -> ids.addAll(s.getEntityIds()));
    return ids;
  }
}

package io.omnirouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import io.omnirouter.core.RouterCore;
import io.omnirouter.core.agent.Agent;
import io.omnirouter.core.contact.Identity;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.routing.AgentView;
import io.omnirouter.core.routing.Presence;
import io.omnirouter.core.workspace.Workspaces;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;

/**
 * On the real Cassandra: a conversation queued while nobody is online survives a full restart of
 * the ActorSystem and is assigned as soon as an agent comes online afterwards.
 */
class RoutingRecoveryTest {
  static final Duration T = Duration.ofSeconds(20);

  static <X> X await(CompletionStage<X> s) throws Exception {
    return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aQueuedConversationIsNotLostAcrossARestart() throws Exception {
    // a fresh workspace per run: entities and queues start empty
    String ws = "rr" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String conf =
        "omnirouter.workspaces."
            + ws
            + " {\n"
            + " name = Recovery\n"
            + " teams = [ { id = support, name = Support, strategy = least-loaded } ]\n"
            + " agents = [ { id = zoe, name = Zoe, teams = [support], capacity = 2 } ]\n"
            + " channels = [ { channel = whatsapp, account = wa-1, default-team = support } ]\n"
            + "}\n";
    String phone = "4915901234567";

    ActorTestKit first = start("recovery-a", conf);
    try {
      RouterCore core =
          RouterCore.init(
              first.system(), Workspaces.fromConfig(first.system().settings().config()));
      await(core.configureAgents(T));
      var msg =
          new InboundMessage(
              Channel.WHATSAPP, "wa-1", "wamid." + UUID.randomUUID(), phone, "help", Instant.now());
      assertEquals(new Conversation.Stored(1), await(core.receive(ws, msg, List.of(), null, T)));
      String contact = contactOf(core, ws, phone);
      assertEquals(Conversation.Status.QUEUED, summary(core, ws, contact).status());
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = start("recovery-b", conf);
    try {
      RouterCore core =
          RouterCore.init(
              second.system(), Workspaces.fromConfig(second.system().settings().config()));
      String contact = contactOf(core, ws, phone);
      assertEquals(Conversation.Status.QUEUED, summary(core, ws, contact).status());
      await(
          core.agent(ws, "zoe")
              .<StatusReply<AgentView>>ask(r -> new Agent.SetPresence(Presence.ONLINE, r), T));
      second
          .createTestProbe()
          .awaitAssert(
              Duration.ofSeconds(30),
              () -> {
                try {
                  assertEquals("zoe", summary(core, ws, contact).assignee());
                } catch (AssertionError e) {
                  throw e;
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
                return null;
              });
    } finally {
      second.shutdownTestKit();
    }
  }

  static ActorTestKit start(String name, String conf) {
    Config config = TestCassandra.config(conf);
    ActorTestKit kit = ActorTestKit.create(name, config);
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    return kit;
  }

  static String contactOf(RouterCore core, String ws, String phone) throws Exception {
    return await(
            core.identity(ws, IdentityKey.phone(phone))
                .<Identity.LookupResult>ask(Identity.Lookup::new, T))
        .contactId();
  }

  static Conversation.Summary summary(RouterCore core, String ws, String contact) throws Exception {
    return await(core.conversation(ws, contact).ask(Conversation.GetSummary::new, T));
  }
}

package io.omnirouter.server.bench;

import com.typesafe.config.Config;
import io.omnirouter.core.EntityIds;
import io.omnirouter.core.RouterCore;
import io.omnirouter.core.contact.Identity;
import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.workspace.Workspaces;
import io.omnirouter.persistence.JournalSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * A new customer's first message, in process (a benchmark, not a test): {@link RouterCore#receive}
 * for a sender never seen before — the identity, the contact and the conversation start, recover
 * (finding nothing) and persist, and the conversation queues at its team — with the router's own
 * configuration against the running Cassandra, no HTTP and no ingest log, in an open model at rate
 * steps. Latency is from the intended send time until the message is durable in its conversation
 * and the contact has its identity; {@code in_conversation_*}: until the conversation has stored it
 * (what the live stream and the team router wait for — the contact's write is not on that path).
 * {@code ./omnirouter bench customers [--steps 50,100,200] [--step-seconds 15] [--warm-seconds 40]
 * [--workspace demo] [--set 'hocon overrides']}. Leaves its customers in the workspace's journal
 * (senders {@code 49<run><n>}), so run it on bench data, not a live workspace.
 */
public final class NewCustomers {
  private NewCustomers() {}

  public static void main(String[] args) throws Exception {
    io.omnirouter.core.CommonPool.atLeastTwoThreads(); // first: see its doc
    Map<String, String> o =
        OpenModel.options(args, "steps", "step-seconds", "workspace", "warm-seconds");
    List<Integer> steps = OpenModel.steps(o, "50,100,200");
    int stepSeconds = Integer.parseInt(o.getOrDefault("step-seconds", "15"));
    Config config =
        OpenModel.config(
                o,
                "pekko.actor.provider = cluster\n"
                    + "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = 0 }\n"
                    + "pekko.cluster.seed-nodes = []\n")
            .resolve();
    Workspaces workspaces = Workspaces.fromConfig(config);
    var workspace = workspaces.byId().get(o.getOrDefault("workspace", "demo"));
    if (workspace == null) {
      throw new IllegalArgumentException("no workspace " + o.getOrDefault("workspace", "demo"));
    }
    String account =
        workspace.channels().stream()
            .filter(c -> c.channel() == Channel.WHATSAPP)
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("the workspace has no WhatsApp number"))
            .account();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "new-customers", config);
    try {
      Cluster cluster = Cluster.get(system);
      var up = new java.util.concurrent.CompletableFuture<Void>();
      org.apache.pekko.cluster.Cluster.get(system.classicSystem())
          .registerOnMemberUp(() -> up.complete(null));
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      up.get(30, TimeUnit.SECONDS);
      JournalSchema.ensure(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
      RouterCore core = RouterCore.init(system, workspaces);
      // the conversation's first write, timed from its message's intended send time
      Map<String, Long> dueByConversation = new java.util.concurrent.ConcurrentHashMap<>();
      Recorder inConversation = new Recorder(3_600_000_000L, 3);
      core.onStored(
          (conversationId, firstSequenceNr, events, assigneeBefore) -> {
            Long due = dueByConversation.remove(conversationId);
            if (due != null) {
              OpenModel.recordSince(inConversation, due);
            }
          });
      String run = Long.toString(System.currentTimeMillis() % 100_000_000L);
      AtomicLong next = new AtomicLong();
      OpenModel.Call firstMessage =
          (i, due) -> {
            long n = next.getAndIncrement();
            String sender = "49" + run + n;
            dueByConversation.put(
                EntityIds.of(
                    workspace.id(),
                    Identity.newContactId(
                        workspace.id(), IdentityKey.of(Channel.WHATSAPP, account, sender))),
                due);
            return core.receive(
                workspace.id(),
                new InboundMessage(
                    Channel.WHATSAPP,
                    account,
                    "wamid.bench-" + run + "-" + n,
                    sender,
                    "Hello, my order has not arrived yet — can you help?",
                    Instant.now()),
                List.of(),
                "Customer " + n,
                Duration.ofSeconds(10));
          };
      // warm up (unmeasured): the JIT compiles the path (10 s left the first steps' p50 8x high)
      OpenModel.step(
          50, Integer.parseInt(o.getOrDefault("warm-seconds", "40")), null, firstMessage);
      List<Map<String, Object>> results = new ArrayList<>();
      for (int rate : steps) {
        // not this step's: messages of the warm-up or an earlier step stored late (timed-out asks)
        dueByConversation.clear();
        inConversation.reset();
        Map<String, Object> r = OpenModel.step(rate, stepSeconds, rate, firstMessage);
        var stored = inConversation.getIntervalHistogram();
        r.put("in_conversation_count", stored.getTotalCount());
        r.putAll(OpenModel.percentiles("in_conversation_", stored));
        results.add(r);
        System.err.println("  " + r);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("what", "a new customer's first message: identity, contact, conversation (receive)");
      out.put("workspace", workspace.id());
      out.put("overrides", o.getOrDefault("set", ""));
      out.put("steps", results);
      System.out.println(io.omnirouter.connectors.support.Json.MAPPER.writeValueAsString(out));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}

package io.omnirouter.core;

import io.omnirouter.core.agent.Agent;
import io.omnirouter.core.contact.Contact;
import io.omnirouter.core.contact.Identity;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.model.ProviderError;
import io.omnirouter.core.routing.AgentView;
import io.omnirouter.core.routing.Assignment;
import io.omnirouter.core.routing.Presence;
import io.omnirouter.core.routing.QueuedConversation;
import io.omnirouter.core.team.TeamRouter;
import io.omnirouter.core.window.ChannelWindows;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command, reply, event and state round-trips through the configured (CBOR) serializer — and
 * every concrete type of each sealed protocol is covered (checked below).
 */
class SerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static <T> ActorRef<T> ref() {
    return testKit.<T>createTestProbe().getRef();
  }

  static Stream<Object> messages() {
    Instant at = Instant.parse("2026-11-22T10:15:30.123Z");
    InboundMessage message =
        new InboundMessage(
            Channel.WECHAT, "wx-oa", "1234567890123456789", "oABC", "你好 \uD83D\uDE00", at);
    var dedup = DedupWindow.empty().plus("a", 10).plus("b", 10);
    var view = new AgentView("alice", Presence.ONLINE, 3, 1, Set.of("en"), Set.of("billing"), at);
    var queued =
        new QueuedConversation("ws~c1", 2, 1, at, at, "en", Set.of("billing"), "bob", null);
    var assignment =
        new Assignment(
            "ws~c1",
            2,
            "alice",
            "support",
            new Assignment.Reason(
                "least-loaded", List.of(new Assignment.Candidate("alice", 1, 3)), "lowest load 1"),
            true,
            at);
    var decision =
        ChannelWindows.decide(
            Channel.WHATSAPP,
            ChannelWindows.Kind.FREE_FORM,
            ChannelWindows.Context.lastInbound(at),
            at);
    var content = OutboundContent.template("order_update", "en", List.of("A-1"));
    var profile =
        new Agent.Profile("Alice", List.of("support"), 3, List.of("en"), List.of("billing"));
    var endpoint =
        new Conversation.Endpoint("wx-oa", "oABC", at, List.of("<a@x>"), "Re: hi", "rt-1", false);
    var summary =
        new Conversation.Summary(
            "ws~c1",
            Conversation.Status.ASSIGNED,
            2,
            "support",
            "alice",
            1,
            Set.of("vip"),
            7,
            Map.of(Channel.WECHAT, at),
            Map.of(Channel.WHATSAPP, decision),
            false,
            null,
            List.of(assignment),
            List.of("wechat:1"),
            1,
            Map.of("m1", "sent"));
    var state =
        new Conversation.State(
            Conversation.Status.ASSIGNED,
            2,
            "support",
            "alice",
            "bob",
            null,
            1,
            Set.of("vip"),
            7,
            Map.of(Channel.WECHAT, endpoint),
            dedup,
            at,
            1,
            List.of(assignment),
            Map.of(
                "m1",
                new OutboundRequest(
                    "ws~c1",
                    "m1",
                    Channel.WHATSAPP,
                    "wa-1",
                    "+491",
                    content,
                    2,
                    List.of(),
                    null,
                    null)),
            Map.of("wamid.9", "m0"),
            Map.of("m0", "delivered"));
    var error =
        new ProviderError("131047", "Re-engagement message", ProviderError.Outcome.WINDOW_CLOSED);
    return Stream.of(
        // Conversation
        new Conversation.ReceiveMessage(message, ref()),
        new Conversation.Offer(assignment, ref()),
        new Conversation.Transfer("sales", "chen", "zh speaker", "sup", ref()),
        new Conversation.Unassign("offline", "system", "alice", ref()),
        new Conversation.Resolve("alice", ref()),
        new Conversation.Reopen("alice", ref()),
        new Conversation.Snooze(at, "alice", ref()),
        new Conversation.MarkPending("alice", ref()),
        new Conversation.SetPriority(2, "sup", ref()),
        new Conversation.ChangeTags(Set.of("a"), Set.of("b"), ref()),
        new Conversation.AddNote("note", "alice", ref()),
        new Conversation.SendReply("m1", Channel.WHATSAPP, content, "alice", ref()),
        new Conversation.WindowClosedWhileQueued(2, at),
        new Conversation.QueueConfirmed(2),
        new Conversation.GetSummary(ref()),
        Conversation.Passivate.INSTANCE,
        Conversation.Wake.INSTANCE,
        new Conversation.Stored(7),
        new Conversation.Duplicate("wamid.X"),
        new Conversation.ReplyAccepted("m1", 8),
        new Conversation.ReplyRefused("m1", decision),
        new Conversation.ReplyInvalid("m1", "no channel"),
        summary,
        new Conversation.MessageReceived(message, 3, at),
        new Conversation.Queued("support", 2, "new", "chen", "c", "system", at),
        new Conversation.AgentAssigned(assignment),
        new Conversation.AgentUnassigned("alice", "offline", "system", at),
        new Conversation.Resolved("alice", at),
        new Conversation.Snoozed(at, "alice", at),
        new Conversation.MarkedPending("alice", at),
        new Conversation.Woke("snooze ended", at),
        new Conversation.PriorityChanged(2, "sup", at),
        new Conversation.TagsChanged(Set.of("vip"), at),
        new io.omnirouter.core.readside.LiveEvent(
            "x", "ws1", "ws1~c1", 3, "message.received", Set.of("alice"), at, "{}"),
        io.omnirouter.core.readside.ConversationDigest.empty("ws1~c1"),
        new Conversation.NoteAdded(4, "note", "alice", at),
        new Conversation.ReplyQueued(
            5,
            "m1",
            Channel.EMAIL,
            "mail-1",
            "ann@example.com",
            content,
            "alice",
            at,
            List.of("<a@x>"),
            "Re: hi",
            null),
        new Conversation.WindowExpiredWhileQueued(2, at, at),
        new Conversation.VerifyAssignment("alice"),
        new Conversation.RecordChannelEvent(Channel.SMS, "opt-out", "STOP", at),
        new Conversation.OptOutChanged(Channel.SMS, true, at),
        new Conversation.RecordSendResult("m1", "wamid.9", null),
        new Conversation.RecordSendResult("m1", null, error),
        new Conversation.RecordDelivery("wamid.9", Inbound.DeliveryStatus.DELIVERED, null, at),
        new Conversation.ReplySent("m1", "wamid.9", at),
        new Conversation.ReplyFailed("m1", error, at),
        new Conversation.ReplyDeliveryUpdated("m1", Inbound.DeliveryStatus.FAILED, error, at),
        state,
        endpoint,
        profile,
        Conversation.State.empty(),
        // Agent
        new Agent.Configure(profile, ref()),
        new Agent.SetPresence(Presence.AWAY, ref()),
        new Agent.SetCapacity(4, ref()),
        new Agent.Reserve("ws~c1", ref()),
        new Agent.Confirm("ws~c1"),
        new Agent.Release("ws~c1"),
        new Agent.Report(ref()),
        new Agent.Get(ref()),
        new Agent.Reserved("ws~c1", view),
        new Agent.Refused("ws~c1", "at capacity", view),
        new Agent.Configured(profile),
        new Agent.PresenceChanged(Presence.ONLINE, at),
        new Agent.CapacityChanged(5),
        new Agent.ConversationReserved("ws~c1", at),
        new Agent.ConversationConfirmed("ws~c1"),
        new Agent.ConversationReleased("ws~c1"),
        new Agent.State(profile, Presence.ONLINE, at, 3, Set.of("ws~c1"), Map.of("ws~c2", at), at),
        // TeamRouter
        new TeamRouter.Enqueue(queued),
        new TeamRouter.Dequeue("ws~c1", "resolved"),
        new TeamRouter.AgentChanged(view),
        new TeamRouter.GetQueue(50, ref()),
        TeamRouter.Stop.INSTANCE,
        new TeamRouter.QueueSummary(
            "support",
            "least-loaded",
            3,
            at,
            List.of(queued),
            List.of(view),
            new TeamRouter.AgentCounts(1, 0, 0, 2),
            1),
        new TeamRouter.Accepted("ws~c1", 2),
        new TeamRouter.Declined("ws~c1", 2, "stale"),
        new TeamRouter.Enqueued(queued),
        new TeamRouter.Dequeued("ws~c1", 2, "assigned"),
        new TeamRouter.State(Map.of("ws~c1", queued)),
        new TeamRouter.Queue(Map.of("ws~c1", queued)),
        // Identity and Contact
        new Identity.Resolve(List.of("email:a@b.c"), "Ann", ref()),
        new Identity.Lookup(ref()),
        new Identity.LinkIfUnlinked("ct-1"),
        new Identity.Repoint("ct-2"),
        new Identity.Resolved("phone:+491", "ct-1", true),
        new Identity.LookupResult("phone:+491", null),
        new Identity.Linked("ct-1", "new", at),
        new Identity.State("ct-1", at),
        new Contact.AddIdentity("phone:+491", "Ann"),
        new Contact.Update("Ann", Map.of("plan", "gold"), ref()),
        new Contact.MergeInto("ct-2", "sup", ref()),
        new Contact.Absorb("ct-1", List.of("phone:+491")),
        new Contact.Get(ref()),
        new Contact.Summary(
            "ct-1", "Ann", List.of("phone:+491"), Map.of("plan", "gold"), null, List.of()),
        new Contact.IdentityAdded("phone:+491", "Ann"),
        new Contact.Updated("Ann", Map.of()),
        new Contact.MergedInto("ct-2", "sup"),
        new Contact.Absorbed("ct-1", List.of("email:a@b.c")),
        new Contact.State("Ann", List.of("phone:+491"), Map.of(), "ct-2", List.of("ct-0")));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void roundTrips(Object message) {
    testKit.serializationTestKit().verifySerialization(message, true);
  }

  @Test
  void everyPublicProtocolTypeIsCovered() {
    Set<Class<?>> covered = new java.util.HashSet<>();
    messages().forEach(m -> covered.add(m.getClass()));
    for (Class<?> owner :
        List.of(Conversation.class, Agent.class, TeamRouter.class, Identity.class, Contact.class)) {
      for (Class<?> nested : owner.getDeclaredClasses()) {
        boolean protocol =
            CborSerializable.class.isAssignableFrom(nested)
                && !nested.isInterface()
                && java.lang.reflect.Modifier.isPublic(nested.getModifiers());
        if (protocol && !covered.contains(nested)) {
          throw new AssertionError("no round-trip case for " + nested.getName());
        }
      }
    }
  }
}

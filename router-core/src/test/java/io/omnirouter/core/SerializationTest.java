package io.omnirouter.core;

import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every command, reply, event and state round-trips through the configured (CBOR) serializer. */
class SerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static Stream<Object> messages() {
    Instant at = Instant.parse("2026-11-22T10:15:30.123Z");
    InboundMessage message =
        new InboundMessage(Channel.WECHAT, "wx-oa", "1234567890123456789", "oABC", "你好 \uD83D\uDE00", at);
    var dedup = DedupWindow.empty().plus("a", 10).plus("b", 10);
    return Stream.of(
        new Conversation.ReceiveMessage(message, testKit.<Conversation.Ack>createTestProbe().getRef()),
        new Conversation.GetSummary(testKit.<Conversation.Summary>createTestProbe().getRef()),
        Conversation.Passivate.INSTANCE,
        new Conversation.Stored(7),
        new Conversation.Duplicate("wamid.X"),
        new Conversation.Summary("c1", 2, Map.of(Channel.WECHAT, at), List.of("wechat:1")),
        new Conversation.MessageReceived(message, 3),
        new Conversation.State(3, Map.of(Channel.WECHAT, at, Channel.EMAIL, at), dedup),
        Conversation.State.empty());
  }

  @ParameterizedTest
  @MethodSource("messages")
  void roundTrips(Object message) {
    testKit.serializationTestKit().verifySerialization(message, true);
  }
}

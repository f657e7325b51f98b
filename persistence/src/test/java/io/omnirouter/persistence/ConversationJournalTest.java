package io.omnirouter.persistence;

import static io.omnirouter.persistence.testkit.TestConversations.conversation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/** Events go through the real Cassandra and come back after the ActorSystem is restarted. */
class ConversationJournalTest {

  @Test
  void stateSurvivesAnActorSystemRestart() {
    String id = "ws-test~" + UUID.randomUUID();
    Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
    // small snapshot interval so recovery uses a snapshot plus events
    String conf = "omnirouter.conversation.snapshot-every = 3";

    ActorTestKit first = ActorTestKit.create("journal-a", TestCassandra.config(conf));
    try {
      var conversation = first.spawn(conversation(id, first));
      TestProbe<Conversation.Ack> acks = first.createTestProbe();
      for (int i = 1; i <= 5; i++) {
        conversation.tell(
            new Conversation.ReceiveMessage(
                message("wamid." + i, t0.plus(i, ChronoUnit.MINUTES)), acks.getRef()));
        assertEquals(
            new Conversation.Stored(i), acks.receiveMessage(java.time.Duration.ofSeconds(15)));
      }
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("journal-b", TestCassandra.config(conf));
    try {
      ActorRef<Conversation.Command> recovered = second.spawn(conversation(id, second));
      TestProbe<Conversation.Summary> summary = second.createTestProbe();
      recovered.tell(new Conversation.GetSummary(summary.getRef()));
      Conversation.Summary s = summary.receiveMessage(java.time.Duration.ofSeconds(15));
      assertEquals(5, s.messageCount());
      assertEquals(t0.plus(5, ChronoUnit.MINUTES), s.lastInboundAt().get(Channel.WHATSAPP));
      assertEquals(
          List.of(
              "whatsapp:wamid.1",
              "whatsapp:wamid.2",
              "whatsapp:wamid.3",
              "whatsapp:wamid.4",
              "whatsapp:wamid.5"),
          s.recentProviderIds());

      // the recovered dedup window still knows the old ids
      TestProbe<Conversation.Ack> acks = second.createTestProbe();
      recovered.tell(new Conversation.ReceiveMessage(message("wamid.2", t0), acks.getRef()));
      assertInstanceOf(
          Conversation.Duplicate.class, acks.receiveMessage(java.time.Duration.ofSeconds(15)));
    } finally {
      second.shutdownTestKit();
    }
  }

  private static InboundMessage message(String providerId, Instant at) {
    return new InboundMessage(Channel.WHATSAPP, "wa-1", providerId, "+4915112345678", "hello", at);
  }
}

package io.omnirouter.persistence.testkit;

import io.omnirouter.core.conversation.Conversation;
import java.time.Clock;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.Behavior;

/** A conversation entity journaling to the test Cassandra, with no routing around it. */
public final class TestConversations {
  private TestConversations() {}

  public static Behavior<Conversation.Command> conversation(String id, ActorTestKit kit) {
    var ports =
        new Conversation.Ports() {
          public void enqueue(String team, io.omnirouter.core.routing.QueuedConversation c) {}

          public void dequeue(String team, String conv, String reason) {}

          public void confirmAgent(String agent, String conv) {}

          public void releaseAgent(String agent, String conv) {}

          public void send(io.omnirouter.core.model.OutboundRequest r) {}

          public void stored(String conv, long seqNr, List<Conversation.Event> events, String b) {}
        };
    return Conversation.create(
        id,
        Conversation.Settings.fromConfig(kit.system().settings().config()),
        (ws, channel, account) -> "support",
        ports,
        Clock.systemUTC(),
        null);
  }
}

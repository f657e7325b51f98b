package io.omnirouter.core.conversation;

import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.DedupWindow;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.InboundMessage;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One conversation thread of a contact in a workspace: the ordered messages, per-channel last
 * inbound time and the recent provider ids used for dedup. Event-sourced and sharded.
 */
public final class Conversation
    extends EventSourcedBehaviorWithEnforcedReplies<
        Conversation.Command, Conversation.Event, Conversation.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Conversation");

  // ---- protocol ----

  public sealed interface Command extends CborSerializable {}

  /** Store a customer message unless its provider id was seen before; replies once it is durable. */
  public record ReceiveMessage(InboundMessage message, ActorRef<Ack> replyTo) implements Command {}

  public record GetSummary(ActorRef<Summary> replyTo) implements Command {}

  public sealed interface Ack extends CborSerializable {}

  /** The message is persisted as number {@code sequence} of this thread (1-based). */
  public record Stored(long sequence) implements Ack {}

  /** The provider id was already stored: nothing changed. */
  public record Duplicate(String providerMessageId) implements Ack {}

  public record Summary(
      String conversationId,
      long messageCount,
      Map<Channel, Instant> lastInboundAt,
      java.util.List<String> recentProviderIds)
      implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record MessageReceived(InboundMessage message, long sequence) implements Event {}

  public record State(
      long messageCount, Map<Channel, Instant> lastInboundAt, DedupWindow recentIds)
      implements CborSerializable {

    public static State empty() {
      return new State(0, Map.of(), DedupWindow.empty());
    }

    public State {
      lastInboundAt = Map.copyOf(lastInboundAt);
    }

    State withMessage(InboundMessage message, long sequence, int dedupWindow) {
      Map<Channel, Instant> last = new EnumMap<>(Channel.class);
      last.putAll(lastInboundAt);
      last.merge(message.channel(), message.receivedAt(), (a, b) -> a.isAfter(b) ? a : b);
      return new State(sequence, last, recentIds.plus(message.dedupKey(), dedupWindow));
    }
  }

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    ConversationSettings settings = ConversationSettings.create(system);
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings))
                // idle passivation: pekko.cluster.sharding.passivation (conf/cluster.conf)
                .withStopMessage(Passivate.INSTANCE));
  }

  public static Behavior<Command> create(String conversationId, ConversationSettings settings) {
    return new Conversation(conversationId, settings);
  }

  /** Sent by sharding to stop the entity; needs no reply. */
  public enum Passivate implements Command {
    INSTANCE
  }

  private final String conversationId;
  private final ConversationSettings settings;

  private Conversation(String conversationId, ConversationSettings settings) {
    super(PersistenceId.of(ENTITY_KEY.name(), conversationId));
    this.conversationId = conversationId;
    this.settings = settings;
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(ReceiveMessage.class, this::onReceiveMessage)
        .onCommand(GetSummary.class, this::onGetSummary)
        .onCommand(Passivate.class, (state, cmd) -> Effect().stop().thenNoReply())
        .build();
  }

  private ReplyEffect<Event, State> onReceiveMessage(State state, ReceiveMessage cmd) {
    InboundMessage message = cmd.message();
    if (state.recentIds().contains(message.dedupKey())) {
      return Effect().reply(cmd.replyTo(), new Duplicate(message.providerMessageId()));
    }
    long sequence = state.messageCount() + 1;
    return Effect()
        .persist(new MessageReceived(message, sequence))
        .thenReply(cmd.replyTo(), next -> new Stored(sequence));
  }

  private ReplyEffect<Event, State> onGetSummary(State state, GetSummary cmd) {
    return Effect()
        .reply(
            cmd.replyTo(),
            new Summary(
                conversationId,
                state.messageCount(),
                state.lastInboundAt(),
                state.recentIds().keys()));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            MessageReceived.class,
            (state, event) ->
                state.withMessage(event.message(), event.sequence(), settings.dedupWindow()))
        .build();
  }

  /** Settings from {@code omnirouter.conversation}. */
  public record ConversationSettings(int dedupWindow, int snapshotEvery) {
    public static ConversationSettings create(ActorSystem<?> system) {
      var config = system.settings().config().getConfig("omnirouter.conversation");
      return new ConversationSettings(
          config.getInt("dedup-window"),
          config.getInt("snapshot-every"));
    }
  }
}

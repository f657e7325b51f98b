package io.omnirouter.core.contact;

import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.EntityIds;
import io.omnirouter.core.readside.ReadSideTags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A contact ({@code <workspace>~<contact id>}): name, identities, custom fields. Merging leaves a
 * forwarding record on the merged contact and moves its identities to the survivor, so later
 * messages to either land in the surviving thread; both histories stay (the survivor lists the
 * contacts it absorbed).
 */
public final class Contact
    extends EventSourcedBehaviorWithEnforcedReplies<Contact.Command, Contact.Event, Contact.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Contact");

  public sealed interface Command extends CborSerializable {}

  /** {@code replyTo} (may be null) hears {@code Done} once the contact has the identity. */
  public record AddIdentity(String identityKey, String displayName, ActorRef<Done> replyTo)
      implements Command {
    public AddIdentity(String identityKey, String displayName) {
      this(identityKey, displayName, null);
    }
  }

  public record Update(
      String name, Map<String, String> customFields, ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  /** Merge this contact into {@code survivorId}. */
  public record MergeInto(String survivorId, String by, ActorRef<StatusReply<Summary>> replyTo)
      implements Command {}

  /** Sent by a merged contact to its survivor. */
  public record Absorb(String mergedId, List<String> identities) implements Command {}

  public record Get(ActorRef<Summary> replyTo) implements Command {}

  public record Summary(
      String contactId,
      String name,
      List<String> identities,
      Map<String, String> customFields,
      String mergedInto,
      List<String> absorbed)
      implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record IdentityAdded(String identityKey, String displayName) implements Event {}

  public record Updated(String name, Map<String, String> customFields) implements Event {}

  public record MergedInto(String survivorId, String by) implements Event {}

  public record Absorbed(String mergedId, List<String> identities) implements Event {}

  public record State(
      String name,
      List<String> identities,
      Map<String, String> customFields,
      String mergedInto,
      List<String> absorbed)
      implements CborSerializable {
    public State {
      identities = List.copyOf(identities);
      customFields = Map.copyOf(customFields);
      absorbed = List.copyOf(absorbed);
    }

    public static State empty() {
      return new State(null, List.of(), Map.of(), null, List.of());
    }

    State withIdentities(List<String> more) {
      Set<String> all = new LinkedHashSet<>(identities);
      all.addAll(more);
      return new State(name, new ArrayList<>(all), customFields, mergedInto, absorbed);
    }

    State named(String n) {
      return new State(n, identities, customFields, mergedInto, absorbed);
    }
  }

  /** How a contact reaches identities and other contacts. */
  public interface Ports {
    void absorb(String survivorId, String mergedId, List<String> identities);

    void repoint(String identityKey, String contactId);
  }

  public static Behavior<Command> create(String entityId, Ports ports) {
    return new Contact(entityId, ports);
  }

  private static final Set<String> TAGS = Set.of(ReadSideTags.CONTACT_TAG);
  private final String contactId;
  private final Ports ports;

  private Contact(String entityId, Ports ports) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
    this.contactId = EntityIds.local(entityId);
    this.ports = ports;
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return TAGS;
  }

  /** Never snapshotted, so recovery skips the snapshot store (why: {@link Identity#recovery()}). */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return this::handle; // not Pekko's per-instance builder: see Conversation.commandHandler()
  }

  private ReplyEffect<Event, State> handle(State s, Command c) {
    if (c instanceof AddIdentity a) {
      return onAddIdentity(s, a);
    } else if (c instanceof Update u) {
      return onUpdate(s, u);
    } else if (c instanceof MergeInto m) {
      return onMergeInto(s, m);
    } else if (c instanceof Absorb a) {
      return onAbsorb(s, a);
    } else if (c instanceof Get g) {
      return Effect().reply(g.replyTo(), summary(s));
    }
    throw new IllegalStateException("unhandled " + c.getClass().getSimpleName());
  }

  private ReplyEffect<Event, State> onAddIdentity(State state, AddIdentity cmd) {
    if (state.mergedInto() != null) {
      // arrived after the merge: it belongs to the survivor
      ports.repoint(cmd.identityKey(), state.mergedInto());
      ports.absorb(state.mergedInto(), contactId, List.of(cmd.identityKey()));
      return done(cmd);
    }
    if (state.identities().contains(cmd.identityKey())) {
      return done(cmd);
    }
    return Effect()
        .persist(new IdentityAdded(cmd.identityKey(), cmd.displayName()))
        .thenRun(next -> done(cmd))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> done(AddIdentity cmd) {
    if (cmd.replyTo() != null) {
      cmd.replyTo().tell(Done.getInstance());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onUpdate(State state, Update cmd) {
    Map<String, String> fields = new HashMap<>(state.customFields());
    if (cmd.customFields() != null) {
      cmd.customFields()
          .forEach(
              (k, v) -> {
                if (v == null || v.isEmpty()) {
                  fields.remove(k);
                } else {
                  fields.put(k, v);
                }
              });
    }
    String name = cmd.name() != null ? cmd.name() : state.name();
    return Effect()
        .persist(new Updated(name, fields))
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onMergeInto(State state, MergeInto cmd) {
    if (cmd.survivorId().equals(contactId)) {
      return Effect()
          .reply(cmd.replyTo(), StatusReply.error("a contact cannot be merged into itself"));
    }
    if (state.mergedInto() != null) {
      return state.mergedInto().equals(cmd.survivorId())
          ? Effect().reply(cmd.replyTo(), StatusReply.success(summary(state)))
          : Effect()
              .reply(cmd.replyTo(), StatusReply.error("already merged into " + state.mergedInto()));
    }
    List<String> identities = state.identities();
    return Effect()
        .persist(new MergedInto(cmd.survivorId(), cmd.by()))
        .thenRun(next -> ports.absorb(cmd.survivorId(), contactId, identities))
        .thenReply(cmd.replyTo(), next -> StatusReply.success(summary(next)));
  }

  private ReplyEffect<Event, State> onAbsorb(State state, Absorb cmd) {
    if (state.mergedInto() != null) {
      // merged further on: pass it along
      ports.absorb(state.mergedInto(), cmd.mergedId(), cmd.identities());
      return Effect().noReply();
    }
    return Effect()
        .persist(new Absorbed(cmd.mergedId(), cmd.identities()))
        .thenRun(next -> cmd.identities().forEach(i -> ports.repoint(i, contactId)))
        .thenNoReply();
  }

  private Summary summary(State s) {
    return new Summary(
        contactId, s.name(), s.identities(), s.customFields(), s.mergedInto(), s.absorbed());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return Contact::apply;
  }

  /**
   * The contact after {@code e}; the read side folds the same way. Applying an event twice is a
   * no-op.
   */
  public static State apply(State s, Event e) {
    if (e instanceof IdentityAdded a) {
      State next = s.withIdentities(List.of(a.identityKey()));
      return next.name() == null && a.displayName() != null ? next.named(a.displayName()) : next;
    } else if (e instanceof Updated u) {
      return new State(u.name(), s.identities(), u.customFields(), s.mergedInto(), s.absorbed());
    } else if (e instanceof MergedInto m) {
      return new State(s.name(), s.identities(), s.customFields(), m.survivorId(), s.absorbed());
    } else if (e instanceof Absorbed a) {
      State next = s.withIdentities(a.identities());
      List<String> absorbed = new ArrayList<>(next.absorbed());
      if (!absorbed.contains(a.mergedId())) {
        absorbed.add(a.mergedId());
      }
      return new State(
          next.name(), next.identities(), next.customFields(), next.mergedInto(), absorbed);
    }
    throw new IllegalArgumentException("unknown event " + e.getClass().getName());
  }
}

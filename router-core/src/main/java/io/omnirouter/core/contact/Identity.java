package io.omnirouter.core.contact;

import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.EntityIds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;

/**
 * One channel identity ({@code <workspace>~<identity key>}) and the contact it belongs to.
 * Resolution is serialized here, so concurrent first messages from one identity never create two
 * contacts; a new identity gets a deterministic contact id, or — with auto-merge on — the contact
 * of a known phone number or e-mail address it carries.
 */
public final class Identity
    extends EventSourcedBehavior<Identity.Command, Identity.Event, Identity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Identity");

  public sealed interface Command extends CborSerializable {}

  /**
   * Which contact is this identity? Creates one if none.
   *
   * @param hints other identity keys the message carries (a phone, an e-mail address)
   */
  public record Resolve(List<String> hints, String displayName, ActorRef<Resolved> replyTo)
      implements Command {}

  /** Which contact, if any — never creates one. */
  public record Lookup(ActorRef<LookupResult> replyTo) implements Command {}

  /**
   * Link to {@code contactId} unless already linked (a hint of another identity's first message).
   */
  public record LinkIfUnlinked(String contactId) implements Command {}

  /** The contact was merged: this identity now belongs to the survivor. */
  public record Repoint(String contactId) implements Command {}

  record HintAnswered(String hint, String contactId) implements Command {}

  public record Resolved(String identityKey, String contactId, boolean created)
      implements CborSerializable {}

  public record LookupResult(String identityKey, String contactId) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  /**
   * @param via how: new, hint:<key>, linked, merged
   */
  public record Linked(String contactId, String via, Instant at) implements Event {}

  /**
   * @param linkedAt when it was linked to that contact (null for an unlinked identity)
   */
  public record State(String contactId, Instant linkedAt) implements CborSerializable {}

  /** The contact confirmed it has this identity. */
  private enum ContactConfirmed implements Command {
    INSTANCE
  }

  /** How an identity reaches other identities and contacts. */
  public interface Ports {
    void lookup(String identityKey, ActorRef<LookupResult> replyTo);

    void linkIfUnlinked(String identityKey, String contactId);

    /** Record the identity on its contact. */
    void addToContact(
        String contactId, String identityKey, String displayName, ActorRef<Done> replyTo);
  }

  /** The contact id a new identity gets when nothing links it elsewhere. */
  public static String newContactId(String workspace, String identityKey) {
    return "ct-"
        + UUID.nameUUIDFromBytes((workspace + "\n" + identityKey).getBytes(StandardCharsets.UTF_8));
  }

  public static Behavior<Command> create(String entityId, boolean autoMerge, Ports ports) {
    return Behaviors.setup(ctx -> new Identity(entityId, autoMerge, ports, ctx));
  }

  private final String workspace;
  private final String key;
  private final boolean autoMerge;
  private final Ports ports;
  private final ActorContext<Command> ctx;
  // a resolution in progress: waiting for hint lookups; later commands are stashed until it ends
  private Pending pending;
  private boolean contactConfirmed;

  private record Pending(Resolve request, List<String> remaining) {}

  private Identity(String entityId, boolean autoMerge, Ports ports, ActorContext<Command> ctx) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
    this.workspace = EntityIds.workspace(entityId);
    this.key = EntityIds.local(entityId);
    this.autoMerge = autoMerge;
    this.ports = ports;
    this.ctx = ctx;
  }

  /**
   * Never snapshotted (no retention criteria), so recovery does not ask the snapshot store: one
   * Cassandra read less each time the entity starts — three entities start for every new customer
   * (docs/BENCHMARKS.md, twelfth session). Snapshotting it would need this removed.
   */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public State emptyState() {
    return new State(null, null);
  }

  /**
   * The contact learns of its identity by a message sent after the link is persisted; a node that
   * dies in between (or a lost message) would leave a contact without it. Until the contact
   * confirms, every resolution tells it again (it ignores what it has); after a restart the first
   * resolution asks once more.
   */
  private void tellContact(String contactId, String displayName) {
    ports.addToContact(
        contactId,
        key,
        displayName,
        ctx.messageAdapter(Done.class, d -> ContactConfirmed.INSTANCE));
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return this::handle; // not Pekko's per-instance builder: see Conversation.commandHandler()
  }

  private Effect<Event, State> handle(State s, Command c) {
    if (c instanceof HintAnswered h) {
      return onHintAnswered(s, h);
    } else if (c instanceof ContactConfirmed) {
      contactConfirmed = true;
      return Effect().none();
    } else if (pending != null) {
      return Effect().stash();
    } else if (c instanceof Resolve r) {
      return onResolve(s, r);
    } else if (c instanceof Lookup l) {
      l.replyTo().tell(new LookupResult(key, s.contactId()));
      return Effect().none();
    } else if (c instanceof LinkIfUnlinked l) {
      return s.contactId() != null ? Effect().none() : link(l.contactId(), "linked", null, null);
    } else if (c instanceof Repoint r) {
      return r.contactId().equals(s.contactId())
          ? Effect().none()
          : Effect().persist(new Linked(r.contactId(), "merged", Instant.now()));
    }
    throw new IllegalStateException("unhandled " + c.getClass().getSimpleName());
  }

  private Effect<Event, State> onResolve(State state, Resolve cmd) {
    if (state.contactId() != null) {
      if (!contactConfirmed) {
        tellContact(state.contactId(), cmd.displayName());
      }
      cmd.replyTo().tell(new Resolved(key, state.contactId(), false));
      return Effect().none();
    }
    // a reply to one of our e-mails names its thread: the new address joins that contact
    var thread =
        cmd.hints().stream().filter(h -> h.startsWith(IdentityKey.CONTACT_PREFIX)).findFirst();
    if (thread.isPresent()) {
      return link(
          thread.get().substring(IdentityKey.CONTACT_PREFIX.length()), "thread", cmd, List.of());
    }
    List<String> hints = cmd.hints().stream().filter(h -> !h.equals(key)).toList();
    if (!autoMerge || hints.isEmpty()) {
      return link(newContactId(workspace, key), "new", cmd, hints);
    }
    pending = new Pending(cmd, new ArrayList<>(hints));
    askNextHint();
    return Effect().none();
  }

  private void askNextHint() {
    String hint = pending.remaining().remove(0);
    ActorRef<LookupResult> adapter =
        ctx.messageAdapter(
            LookupResult.class, r -> new HintAnswered(r.identityKey(), r.contactId()));
    ports.lookup(hint, adapter);
  }

  private Effect<Event, State> onHintAnswered(State state, HintAnswered answer) {
    if (pending == null) {
      return Effect().none();
    }
    Resolve request = pending.request();
    if (answer.contactId() != null) {
      pending = null;
      return link(answer.contactId(), "hint:" + answer.hint(), request, request.hints())
          .thenUnstashAll();
    }
    if (!pending.remaining().isEmpty()) {
      askNextHint();
      return Effect().none();
    }
    pending = null;
    return link(newContactId(workspace, key), "new", request, request.hints()).thenUnstashAll();
  }

  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, State> link(
      String contactId, String via, Resolve request, List<String> hints) {
    return Effect()
        .persist(new Linked(contactId, via, Instant.now()))
        .thenRun(
            next -> {
              tellContact(contactId, request == null ? null : request.displayName());
              if (hints != null) {
                hints.stream()
                    .filter(h -> !h.equals(key))
                    .forEach(h -> ports.linkIfUnlinked(h, contactId));
              }
              if (request != null) {
                request.replyTo().tell(new Resolved(key, contactId, via.equals("new")));
              }
            });
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return (s, e) -> new State(((Linked) e).contactId(), ((Linked) e).at());
  }
}

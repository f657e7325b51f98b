package io.omnirouter.persistence.readside;

import io.omnirouter.core.EntityIds;
import io.omnirouter.core.contact.Contact;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * Keeps the contacts table and its search terms; folds with the entity's own {@link Contact#apply}.
 * The row keeps the sequence number of the last event folded into it: an event that skips past it
 * means the tag query missed the ones between, and they are read from the journal and folded first
 * ({@link MissedEvents}) — a contact whose first event was missed was never found by search.
 */
final class ContactProjection extends Handler<EventEnvelope<Contact.Event>> {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ContactProjection.class);

  private final ReadSideStore store;
  private final MissedEvents<Contact.Event> missed;

  ContactProjection(ReadSideStore store, MissedEvents<Contact.Event> missed) {
    this.store = store;
    this.missed = missed;
  }

  /** The contact projection's name in {@code projection_dead_letters}. */
  static final String NAME = "contacts";

  /**
   * An event that can never be projected (an error that comes back however often it is written,
   * {@link ConversationProjection#permanent}) is recorded in {@code projection_dead_letters} and
   * skipped, as the conversation projection does: one bad contact must not stop every other.
   */
  @Override
  public CompletionStage<Done> process(EventEnvelope<Contact.Event> env) {
    // started from a completed stage, so that anything thrown on the way fails the stage
    return CompletableFuture.completedFuture(env)
        .thenCompose(this::project)
        .exceptionallyCompose(
            error ->
                ConversationProjection.permanent(error)
                    ? ConversationProjection.deadLetter(store, NAME, env, error)
                    : CompletableFuture.failedFuture(error));
  }

  private CompletionStage<Done> project(EventEnvelope<Contact.Event> env) {
    String entityId = ConversationProjection.entityId(env.persistenceId());
    return row(entityId)
        .thenCompose(
            row -> {
              long last = row.map(ReadSideStore.ContactRow::lastSequenceNr).orElse(0L);
              if (last != ReadSideStore.UNKNOWN_SEQUENCE && env.sequenceNr() <= last) {
                return CompletableFuture.completedFuture(Done.getInstance()); // seen already
              }
              CompletionStage<List<EventEnvelope<Contact.Event>>> earlier;
              if (last != ReadSideStore.UNKNOWN_SEQUENCE && env.sequenceNr() > last + 1) {
                log.warn(
                    "Contact projection: {} #{}..{} never came with its tag; reading them from the"
                        + " journal",
                    env.persistenceId(),
                    last + 1,
                    env.sequenceNr() - 1);
                earlier = missed.between(env.persistenceId(), last + 1, env.sequenceNr() - 1);
              } else {
                earlier = CompletableFuture.completedFuture(List.of());
              }
              return earlier.thenCompose(
                  events -> {
                    List<EventEnvelope<Contact.Event>> all = new ArrayList<>(events);
                    all.add(env);
                    return write(entityId, row, all);
                  });
            });
  }

  /**
   * Projects a contact the read side has no row of at all from its journal (the read-side repair);
   * completes with whether there was one to project.
   */
  CompletionStage<Boolean> projectIfMissing(String entityId) {
    return row(entityId)
        .thenCompose(
            row ->
                row.isPresent()
                    ? CompletableFuture.completedFuture(false)
                    : missed
                        .between(Contact.ENTITY_KEY.name() + "|" + entityId, 1, Long.MAX_VALUE)
                        .thenCompose(
                            events ->
                                events.isEmpty()
                                    ? CompletableFuture.completedFuture(false)
                                    : write(entityId, row, events).thenApply(done -> true)));
  }

  private CompletionStage<Optional<ReadSideStore.ContactRow>> row(String entityId) {
    return store.contact(EntityIds.workspace(entityId), EntityIds.local(entityId));
  }

  /** Folds {@code events} into the row (or an empty contact) and writes it with the last number. */
  private CompletionStage<Done> write(
      String entityId,
      Optional<ReadSideStore.ContactRow> row,
      List<EventEnvelope<Contact.Event>> events) {
    Contact.State state =
        row.map(
                r ->
                    new Contact.State(
                        r.name(), r.identities(), r.customFields(), r.mergedInto(), List.of()))
            .orElseGet(Contact.State::empty);
    for (var e : events) {
      state = Contact.apply(state, e.event());
    }
    return store.putContact(
        new ReadSideStore.ContactRow(
            EntityIds.workspace(entityId),
            EntityIds.local(entityId),
            state.name(),
            state.identities(),
            state.customFields(),
            state.mergedInto(),
            events.get(events.size() - 1).sequenceNr()));
  }
}

package io.omnirouter.persistence.readside;

import io.omnirouter.core.EntityIds;
import io.omnirouter.core.contact.Contact;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * Keeps the contacts table and its search terms; folds with the entity's own {@link Contact#apply}.
 */
final class ContactProjection extends Handler<EventEnvelope<Contact.Event>> {
  private final ReadSideStore store;

  ContactProjection(ReadSideStore store) {
    this.store = store;
  }

  @Override
  public CompletionStage<Done> process(EventEnvelope<Contact.Event> env) {
    String entityId = ConversationProjection.entityId(env.persistenceId());
    String ws = EntityIds.workspace(entityId);
    String id = EntityIds.local(entityId);
    return store
        .contact(ws, id)
        .thenCompose(
            row -> {
              Contact.State before =
                  row.map(
                          r ->
                              new Contact.State(
                                  r.name(),
                                  r.identities(),
                                  r.customFields(),
                                  r.mergedInto(),
                                  List.of()))
                      .orElseGet(Contact.State::empty);
              Contact.State after = Contact.apply(before, env.event());
              return store.putContact(
                  new ReadSideStore.ContactRow(
                      ws,
                      id,
                      after.name(),
                      after.identities(),
                      after.customFields(),
                      after.mergedInto()));
            });
  }
}

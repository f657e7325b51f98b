package io.omnirouter.persistence.readside;

import io.omnirouter.core.contact.Contact;
import io.omnirouter.core.conversation.Conversation;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Brings conversations that the read side shows behind the journal up to date, and the contacts
 * they belong to (a conversation's entity id is its contact's).
 *
 * <p>A projection repairs a missed event when the same entity's next event comes ({@link
 * MissedEvents}); this is for entities whose <em>last</em> events were missed: after a node is
 * lost, the live hub's recent events say which conversations were stored up to which sequence
 * number, and each one whose digest is behind has the rest of its events read from the journal and
 * projected with the conversation projection's own code. Every write is an idempotent upsert, so
 * racing the tag's projection costs at worst a digest row that is briefly older than its rows; the
 * projection rewrites it with its next event of that conversation, and its gap check covers a
 * restart from it.
 */
public final class ReadSideRepair {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ReadSideRepair.class);

  private final ReadSideStore store;
  private final MissedEvents<Conversation.Event> conversations;
  private final MissedEvents<Contact.Event> contacts;
  private final Duration windowWarning;

  ReadSideRepair(
      ReadSideStore store,
      MissedEvents<Conversation.Event> conversations,
      MissedEvents<Contact.Event> contacts,
      Duration windowWarning) {
    this.store = store;
    this.conversations = conversations;
    this.contacts = contacts;
    this.windowWarning = windowWarning;
  }

  MissedEvents<Conversation.Event> conversations() {
    return conversations;
  }

  MissedEvents<Contact.Event> contacts() {
    return contacts;
  }

  /**
   * Checks each conversation against the sequence number it is known to have reached (0: only its
   * contact), one after another; completes with how many were behind or had no contact row (and
   * were repaired).
   */
  public CompletionStage<Integer> repair(Map<String, Long> reached) {
    // a fresh projection: its digest cache starts from the rows, not from what another instance saw
    var projection =
        new ConversationProjection(
            "read-side-repair", store, conversations, windowWarning, l -> {});
    CompletionStage<Integer> done = CompletableFuture.completedFuture(0);
    for (Map.Entry<String, Long> e : reached.entrySet()) {
      done =
          done.thenCompose(
              n ->
                  repairOne(projection, e.getKey(), e.getValue())
                      .thenApply(behind -> behind ? n + 1 : n));
    }
    return done;
  }

  private CompletionStage<Boolean> repairOne(
      ConversationProjection projection, String conversationId, long reached) {
    return store
        .digest(conversationId)
        .thenCompose(
            digest -> {
              long last = digest.map(d -> d.lastSequenceNr()).orElse(0L);
              if (last >= reached) {
                return CompletableFuture.completedFuture(false);
              }
              log.warn(
                  "Read side: {} shows #{} of at least #{}; projecting the rest from the journal",
                  conversationId,
                  last,
                  reached);
              String pid = Conversation.ENTITY_KEY.name() + "|" + conversationId;
              return conversations
                  .between(pid, last + 1, Long.MAX_VALUE)
                  .thenCompose(projection::process)
                  .thenApply(x -> true);
            })
        .thenCompose(
            behind -> repairContact(conversationId).thenApply(missing -> behind || missing));
  }

  /** A contact the read side does not have at all is projected from its journal. */
  private CompletionStage<Boolean> repairContact(String contactEntityId) {
    return new ContactProjection(store, contacts)
        .projectIfMissing(contactEntityId)
        .thenApply(
            projected -> {
              if (projected) {
                log.warn(
                    "Read side: contact {} was missing; projected from the journal",
                    contactEntityId);
              }
              return projected;
            });
  }
}

package io.omnirouter.persistence.readside;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads from the journal, by persistence id, events that a projection's tag query never delivered.
 *
 * <p>The journal writes an event's tag row after its event row, from the node that persisted it; a
 * node killed between the two leaves an event that is stored but not tagged (the node-kill drill
 * found three such, each the first event of its conversation). Pekko writes the missing row again
 * when the entity next recovers, but by then the query has already delivered the entity's later
 * events and drops the earlier one. Every event of a conversation or contact is tagged, so a
 * projection that sees sequence number {@code n} after {@code m < n - 1} knows {@code m + 1 … n -
 * 1} went missing and reads them here, in order, before projecting {@code n}.
 */
@FunctionalInterface
interface MissedEvents<E> {

  /** The events {@code from … to} (inclusive) of one persistence id, in order; fewer if gone. */
  CompletionStage<List<EventEnvelope<E>>> between(String persistenceId, long from, long to);

  /**
   * Reads through the Cassandra read journal, taken on first use: the plugin prepares its
   * statements when the read journal is made and keeps a failed preparation for good — made before
   * {@code tag_views} existed, it failed every events-by-tag query of that node (node-kill drill,
   * ninth session).
   */
  static <E> MissedEvents<E> fromJournal(ActorSystem<?> system, Class<E> type) {
    return (persistenceId, from, to) ->
        PersistenceQuery.get(system)
            .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier())
            .currentEventsByPersistenceId(persistenceId, from, to)
            .filter(e -> type.isInstance(e.event()))
            .map(
                e ->
                    EventEnvelope.create(
                        e.offset(),
                        e.persistenceId(),
                        e.sequenceNr(),
                        type.cast(e.event()),
                        e.timestamp()))
            .runWith(Sink.seq(), system);
  }
}

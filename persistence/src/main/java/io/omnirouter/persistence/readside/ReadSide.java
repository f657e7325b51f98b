package io.omnirouter.persistence.readside;

import io.omnirouter.core.contact.Contact;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.readside.ReadSideTags;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Starts the read side: the query tables, then one projection per conversation tag and one for
 * contacts, each a sharded daemon process (one instance cluster-wide, moved if its node leaves).
 * Offsets are stored in Cassandra next to the tables.
 */
public final class ReadSide {
  private final ReadSideStore store;
  private final ReadSideRepair repair;
  private final Map<String, AtomicLong> lagMillis = new ConcurrentHashMap<>();

  private ReadSide(ReadSideStore store, ReadSideRepair repair) {
    this.store = store;
    this.repair = repair;
  }

  /** Brings conversations the read side shows behind the journal up to date. */
  public ReadSideRepair repair() {
    return repair;
  }

  public ReadSideStore store() {
    return store;
  }

  /** Per projection: how old the newest event it projected was when it was written (ms). */
  public Map<String, AtomicLong> lagMillis() {
    return lagMillis;
  }

  /**
   * Creates the read side's tables and, once they and the journal's ({@code journalReady}) exist,
   * starts the projections: a read journal made before {@code tag_views} exists keeps failing.
   */
  public static ReadSide start(ActorSystem<?> system, CompletionStage<Done> journalReady) {
    var config = system.settings().config();
    String keyspace = config.getString("omnirouter.cassandra.keyspace");
    var session =
        CassandraSessionRegistry.get(system)
            .sessionFor(config.getString("pekko.projection.cassandra.session-config-path"));
    Duration groupAfter = config.getDuration("omnirouter.read-side.group-after");
    int groupSize = config.getInt("omnirouter.read-side.group-size");
    Duration windowWarning = config.getDuration("omnirouter.read-side.window-warning");
    ReadSideStore store = new ReadSideStore(system, session, keyspace);
    ReadSide readSide =
        new ReadSide(
            store,
            new ReadSideRepair(
                store,
                MissedEvents.fromJournal(system, Conversation.Event.class),
                MissedEvents.fromJournal(system, Contact.Event.class),
                windowWarning));
    // schema changes are slow and time out while Cassandra is busy or still starting: retry
    Patterns.retry(
            () ->
                readSide
                    .store
                    .createTables()
                    .thenCompose(done -> CassandraProjection.createTablesIfNotExists(system))
                    .thenCompose(done -> journalReady),
            30,
            Duration.ofSeconds(2),
            system.classicSystem().scheduler(),
            system.executionContext())
        .whenComplete(
            (done, error) -> {
              if (error != null) {
                system.log().error("Read-side tables could not be created; no projections", error);
                return;
              }
              readSide.startProjections(system, groupSize, groupAfter, windowWarning);
            });
    return readSide;
  }

  private void startProjections(
      ActorSystem<?> system, int groupSize, Duration groupAfter, Duration windowWarning) {
    List<String> tags = ReadSideTags.conversationTags();
    MissedEvents<Conversation.Event> missedConversations = repair.conversations();
    MissedEvents<Contact.Event> missedContacts = repair.contacts();
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "conversation-projection",
            tags.size(),
            i -> {
              String tag = tags.get(i);
              AtomicLong lag = lagMillis.computeIfAbsent(tag, t -> new AtomicLong());
              SourceProvider<Offset, EventEnvelope<Conversation.Event>> source =
                  EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
              return ProjectionBehavior.create(
                  CassandraProjection.groupedWithin(
                          ProjectionId.of("conversations", tag),
                          source,
                          () ->
                              new ConversationProjection(
                                  "conversations-" + tag,
                                  store,
                                  missedConversations,
                                  windowWarning,
                                  lag::set))
                      .withGroup(groupSize, groupAfter)
                      .withRestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
            },
            ProjectionBehavior.stopMessage());
    SourceProvider<Offset, EventEnvelope<Contact.Event>> contacts =
        EventSourcedProvider.eventsByTag(
            system, CassandraReadJournal.Identifier(), ReadSideTags.CONTACT_TAG);
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "contact-projection",
            1,
            i ->
                ProjectionBehavior.create(
                    CassandraProjection.atLeastOnce(
                            ProjectionId.of("contacts", ReadSideTags.CONTACT_TAG),
                            contacts,
                            () -> new ContactProjection(store, missedContacts))
                        .withSaveOffset(20, Duration.ofSeconds(1))
                        .withRestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)),
            ProjectionBehavior.stopMessage());
  }
}

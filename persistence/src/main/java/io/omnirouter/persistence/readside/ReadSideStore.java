package io.omnirouter.persistence.readside;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.omnirouter.core.model.Text;
import io.omnirouter.core.readside.ConversationDigest;
import io.omnirouter.core.readside.LiveEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The read side's Cassandra tables: what the projections write and what the inbox API reads.
 * Conversation lists page by (created, id), newest first, so a page never shifts when messages
 * arrive; message pages by the thread's sequence number; the stream table by hour buckets.
 */
public final class ReadSideStore {
  /** How long the stream table keeps events for resuming clients. */
  public static final Duration STREAM_RETENTION = Duration.ofDays(7);

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .findAndRegisterModules()
          .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);
  private static final long HOUR = Duration.ofHours(1).toMillis();

  private final ActorSystem<?> system;
  private final CassandraSession session;
  private final String ks;

  public ReadSideStore(ActorSystem<?> system, CassandraSession session, String keyspace) {
    this.system = system;
    this.session = session;
    this.ks = keyspace;
  }

  // ---- schema ----

  public CompletionStage<Done> createTables() {
    List<String> ddl =
        List.of(
            "CREATE TABLE IF NOT EXISTS %s.conversation_digest ("
                + " conversation_id text PRIMARY KEY, digest text)",
            "CREATE TABLE IF NOT EXISTS %s.conversations_by_workspace ("
                + " workspace text, created_at timestamp, conversation_id text, status text,"
                + " team text, assignee text, priority int, tags set<text>, channels set<text>,"
                + " last_inbound map<text, timestamp>, updated_at timestamp, last_message text,"
                + " message_count bigint,"
                + " PRIMARY KEY ((workspace), created_at, conversation_id))"
                + " WITH CLUSTERING ORDER BY (created_at DESC, conversation_id DESC)",
            "CREATE TABLE IF NOT EXISTS %s.thread_messages ("
                + " conversation_id text, sequence bigint, direction text, channel text,"
                + " message_id text, author text, text text, content text, at timestamp,"
                + " PRIMARY KEY ((conversation_id), sequence))",
            "CREATE TABLE IF NOT EXISTS %s.thread_message_states ("
                + " conversation_id text, message_id text, state text,"
                + " PRIMARY KEY ((conversation_id), message_id))",
            "CREATE TABLE IF NOT EXISTS %s.stream_events ("
                + " workspace text, hour bigint, id text, conversation_id text, type text,"
                + " agents set<text>, at timestamp, data text,"
                + " PRIMARY KEY ((workspace, hour), id))"
                + " WITH default_time_to_live = "
                + STREAM_RETENTION.toSeconds(),
            "CREATE TABLE IF NOT EXISTS %s.window_warnings ("
                + " workspace text, hour bigint, warn_at timestamp, conversation_id text,"
                + " channel text, closes_at timestamp,"
                + " PRIMARY KEY ((workspace, hour), warn_at, conversation_id, channel))"
                + " WITH default_time_to_live = "
                + Duration.ofDays(8).toSeconds(),
            "CREATE TABLE IF NOT EXISTS %s.contacts ("
                + " workspace text, contact_id text, name text, identities list<text>,"
                + " custom_fields map<text, text>, merged_into text, last_seq bigint,"
                + " PRIMARY KEY ((workspace), contact_id))",
            "CREATE TABLE IF NOT EXISTS %s.contact_terms ("
                + " workspace text, term text, contact_id text,"
                + " PRIMARY KEY ((workspace, term), contact_id))",
            "CREATE TABLE IF NOT EXISTS %s.projection_dead_letters ("
                + " projection text, persistence_id text, sequence_nr bigint, event_type text,"
                + " error text, at timestamp,"
                + " PRIMARY KEY ((projection), persistence_id, sequence_nr))");
    CompletionStage<Done> done = CompletableFuture.completedFuture(Done.getInstance());
    for (String d : ddl) {
      done = done.thenCompose(x -> session.executeDDL(d.replace("%s", ks)));
    }
    // added in the ninth session: tables made before it lack the column
    return done.thenCompose(x -> addColumnIfMissing("contacts", "last_seq", "bigint"));
  }

  private CompletionStage<Done> addColumnIfMissing(String table, String column, String type) {
    return session
        .selectOne(
            "SELECT column_name FROM system_schema.columns"
                + " WHERE keyspace_name = ? AND table_name = ? AND column_name = ?",
            ks,
            table,
            column)
        .thenCompose(
            row ->
                row.isPresent()
                    ? CompletableFuture.completedFuture(Done.getInstance())
                    : session.executeDDL(
                        "ALTER TABLE " + ks + "." + table + " ADD " + column + " " + type));
  }

  // ---- writes ----

  /**
   * One row to write: its statement and its values — text made well formed ({@link Text}): one half
   * of an emoji in a preview once failed a projection's group for ever, and nothing written here is
   * worth wedging the read side for.
   */
  private record Write(String cql, Object... values) {
    Write {
      for (int i = 0; i < values.length; i++) {
        if (values[i] instanceof String text) {
          values[i] = Text.wellFormed(text);
        }
      }
    }
  }

  public Writes writes() {
    return new Writes();
  }

  /**
   * Rows written together, each as its own statement, all at once; done when all are. (Batching
   * each partition's rows into one unlogged batch cut Cassandra's mutations for stream, list and
   * warning rows by 95 % but made latency worse under load — those partitions are hot, and big
   * mutations of one partition contend; docs/BENCHMARKS.md.) Every write is an idempotent upsert,
   * so a group written again after a failure is harmless.
   */
  public final class Writes {
    private final List<Write> rows = new ArrayList<>();

    private Writes add(Write w) {
      rows.add(w);
      return this;
    }

    /** The conversation's stored digest and its list row. */
    public Writes digest(ConversationDigest d) {
      return add(digestBlob(d)).add(listRow(d));
    }

    public Writes message(MessageRow m) {
      return add(messageRow(m));
    }

    public Writes messageState(String conversationId, String messageId, String state) {
      return add(messageStateRow(conversationId, messageId, state));
    }

    public Writes streamEvent(LiveEvent e) {
      return add(streamRow(e));
    }

    public Writes windowDeadline(String workspace, WindowDeadline w) {
      return add(deadlineRow(workspace, w));
    }

    public CompletionStage<Done> run() {
      CompletableFuture<?>[] all = new CompletableFuture<?>[rows.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] =
            session.executeWrite(rows.get(i).cql(), rows.get(i).values()).toCompletableFuture();
      }
      return CompletableFuture.allOf(all).thenApply(x -> Done.getInstance());
    }
  }

  // ---- events a projection could not write ----

  /**
   * An event a projection skipped because its rows can never be written (it stays in the journal).
   */
  public record DeadLetter(
      String persistenceId, long sequenceNr, String eventType, String error, Instant at) {}

  public CompletionStage<Done> putDeadLetter(String projection, DeadLetter d) {
    return session.executeWrite(
        "INSERT INTO "
            + ks
            + ".projection_dead_letters (projection, persistence_id, sequence_nr, event_type, error,"
            + " at) VALUES (?, ?, ?, ?, ?, ?)",
        projection,
        d.persistenceId(),
        d.sequenceNr(),
        d.eventType(),
        Text.wellFormed(d.error()),
        d.at());
  }

  public CompletionStage<List<DeadLetter>> deadLetters(String projection) {
    return session
        .selectAll(
            "SELECT persistence_id, sequence_nr, event_type, error, at FROM "
                + ks
                + ".projection_dead_letters WHERE projection = ?",
            projection)
        .thenApply(
            rows ->
                rows.stream()
                    .map(
                        r ->
                            new DeadLetter(
                                r.getString("persistence_id"),
                                r.getLong("sequence_nr"),
                                r.getString("event_type"),
                                r.getString("error"),
                                r.getInstant("at")))
                    .toList());
  }

  // ---- conversations ----

  public CompletionStage<Optional<ConversationDigest>> digest(String conversationId) {
    return session
        .selectOne(
            "SELECT digest FROM " + ks + ".conversation_digest WHERE conversation_id = ?",
            conversationId)
        .thenApply(row -> row.map(r -> fromJson(r.getString("digest"), ConversationDigest.class)));
  }

  public CompletionStage<Done> putDigest(ConversationDigest d) {
    return writes().digest(d).run();
  }

  private Write digestBlob(ConversationDigest d) {
    return new Write(
        "INSERT INTO " + ks + ".conversation_digest (conversation_id, digest) VALUES (?, ?)",
        d.conversationId(),
        toJson(d));
  }

  private Write listRow(ConversationDigest d) {
    return new Write(
        "INSERT INTO "
            + ks
            + ".conversations_by_workspace (workspace, created_at, conversation_id, status,"
            + " team, assignee, priority, tags, channels, last_inbound, updated_at,"
            + " last_message, message_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        d.workspace(),
        d.createdAt(),
        d.conversationId(),
        d.status(),
        d.team(),
        d.assignee(),
        d.priority(),
        d.tags(),
        d.channels(),
        d.lastInboundAt(),
        d.updatedAt(),
        d.lastMessage(),
        d.messageCount());
  }

  /** Which conversations a list shows; null fields do not filter. */
  public record ConversationFilter(
      String status,
      String team,
      String assignee,
      boolean unassigned,
      String channel,
      String tag,
      Instant updatedSince)
      implements Predicate<ConversationDigest> {
    @Override
    public boolean test(ConversationDigest d) {
      return (status == null || status.equals(d.status()))
          && (team == null || team.equals(d.team()))
          && (assignee == null || assignee.equals(d.assignee()))
          && (!unassigned || d.assignee() == null)
          && (channel == null || d.channels().contains(channel))
          && (tag == null || d.tags().contains(tag))
          && (updatedSince == null
              || (d.updatedAt() != null && !d.updatedAt().isBefore(updatedSince)));
    }
  }

  /** A position in a conversation list: the last row a page looked at. */
  public record ListCursor(Instant createdAt, String conversationId) {}

  /**
   * @param next where the next page starts, or null at the end
   */
  public record Page<T>(List<T> items, ListCursor next) {}

  /**
   * Newest first; at most {@code limit} matches, looking at no more than {@code scanBudget} rows (a
   * page can then be short but still has a cursor to go on from).
   */
  public CompletionStage<Page<ConversationDigest>> conversations(
      String workspace,
      Predicate<ConversationDigest> filter,
      ListCursor after,
      int limit,
      int scanBudget) {
    String cols =
        "SELECT created_at, conversation_id, status, team, assignee, priority, tags, channels,"
            + " last_inbound, updated_at, last_message, message_count FROM "
            + ks
            + ".conversations_by_workspace WHERE workspace = ?";
    SimpleStatement stmt =
        after == null
            ? SimpleStatement.newInstance(cols, workspace)
            : SimpleStatement.newInstance(
                cols + " AND (created_at, conversation_id) < (?, ?)",
                workspace,
                after.createdAt(),
                after.conversationId());
    var scan = new ListScan(filter, limit);
    return session
        .select(stmt.setPageSize(Math.min(scanBudget, 500)))
        .take(scanBudget)
        .takeWhile(r -> !scan.full())
        .runWith(Sink.foreach(scan::add), system)
        .thenApply(done -> scan.page(scanBudget));
  }

  /** Folds scanned rows into a page; used by one stream at a time. */
  private static final class ListScan {
    private final Predicate<ConversationDigest> filter;
    private final int limit;
    private final List<ConversationDigest> items = new ArrayList<>();
    private ListCursor last;
    private int scanned;

    ListScan(Predicate<ConversationDigest> filter, int limit) {
      this.filter = filter;
      this.limit = limit;
    }

    boolean full() {
      return items.size() >= limit;
    }

    void add(Row r) {
      scanned++;
      ConversationDigest d = listRow(r);
      last = new ListCursor(d.createdAt(), d.conversationId());
      if (filter.test(d)) {
        items.add(d);
      }
    }

    Page<ConversationDigest> page(int scanBudget) {
      boolean more = full() || scanned >= scanBudget;
      return new Page<>(List.copyOf(items), more ? last : null);
    }
  }

  private static ConversationDigest listRow(Row r) {
    return new ConversationDigest(
        r.getString("conversation_id"),
        r.getString("status"),
        r.getString("team"),
        r.getString("assignee"),
        r.getInt("priority"),
        r.getSet("tags", String.class),
        r.getSet("channels", String.class),
        r.getMap("last_inbound", String.class, Instant.class),
        r.getInstant("created_at"),
        r.getInstant("updated_at"),
        r.getString("last_message"),
        r.getLong("message_count"),
        0);
  }

  // ---- messages ----

  /** One entry of a thread: a customer message, our reply or an internal note. */
  public record MessageRow(
      String conversationId,
      long sequence,
      String direction,
      String channel,
      String messageId,
      String author,
      String text,
      String contentJson,
      Instant at,
      String state) {}

  /** Idempotent: the projection and the API (read-your-writes) may both write the same row. */
  public CompletionStage<Done> putMessage(MessageRow m) {
    return writes().message(m).run();
  }

  private Write messageRow(MessageRow m) {
    return new Write(
        "INSERT INTO "
            + ks
            + ".thread_messages (conversation_id, sequence, direction, channel, message_id, author, text,"
            + " content, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        m.conversationId(),
        m.sequence(),
        m.direction(),
        m.channel(),
        m.messageId(),
        m.author(),
        m.text(),
        m.contentJson(),
        m.at());
  }

  public CompletionStage<Done> putMessageState(
      String conversationId, String messageId, String state) {
    return writes().messageState(conversationId, messageId, state).run();
  }

  private Write messageStateRow(String conversationId, String messageId, String state) {
    return new Write(
        "INSERT INTO "
            + ks
            + ".thread_message_states (conversation_id, message_id, state) VALUES (?, ?, ?)",
        conversationId,
        messageId,
        state);
  }

  /**
   * In order. {@code after}: the page following that sequence number; else {@code before}: the page
   * before it; neither: the latest page.
   */
  public CompletionStage<List<MessageRow>> messages(
      String conversationId, Long after, Long before, int limit) {
    String cols =
        "SELECT sequence, direction, channel, message_id, author, text, content, at FROM "
            + ks
            + ".thread_messages WHERE conversation_id = ?";
    CompletionStage<List<Row>> rows =
        after != null
            ? session.selectAll(
                cols + " AND sequence > ? ORDER BY sequence ASC LIMIT ?",
                conversationId,
                after,
                limit)
            : before != null
                ? session.selectAll(
                    cols + " AND sequence < ? ORDER BY sequence DESC LIMIT ?",
                    conversationId,
                    before,
                    limit)
                : session.selectAll(
                    cols + " ORDER BY sequence DESC LIMIT ?", conversationId, limit);
    CompletionStage<Map<String, String>> states =
        session
            .selectAll(
                "SELECT message_id, state FROM "
                    + ks
                    + ".thread_message_states WHERE conversation_id = ?",
                conversationId)
            .thenApply(
                list -> {
                  Map<String, String> m = new HashMap<>();
                  list.forEach(r -> m.put(r.getString("message_id"), r.getString("state")));
                  return m;
                });
    return rows.thenCombine(
        states,
        (list, st) -> {
          List<MessageRow> out = new ArrayList<>(list.size());
          for (Row r : list) {
            String id = r.getString("message_id");
            out.add(
                new MessageRow(
                    conversationId,
                    r.getLong("sequence"),
                    r.getString("direction"),
                    r.getString("channel"),
                    id,
                    r.getString("author"),
                    r.getString("text"),
                    r.getString("content"),
                    r.getInstant("at"),
                    "out".equals(r.getString("direction")) ? st.get(id) : null));
          }
          out.sort(java.util.Comparator.comparingLong(MessageRow::sequence));
          return out;
        });
  }

  // ---- the live stream's history ----

  public CompletionStage<Done> putStreamEvent(LiveEvent e) {
    return writes().streamEvent(e).run();
  }

  private Write streamRow(LiveEvent e) {
    long hour = e.at().toEpochMilli() / HOUR;
    return new Write(
        "INSERT INTO "
            + ks
            + ".stream_events (workspace, hour, id, conversation_id, type, agents, at, data)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        e.workspace(),
        hour,
        e.id(),
        e.conversationId(),
        e.type(),
        e.agents(),
        e.at(),
        e.data());
  }

  /** Stored events of a workspace from {@code from} up to now, in id order. */
  public CompletionStage<List<LiveEvent>> streamSince(String workspace, Instant from) {
    String afterId = LiveEvent.floor(from);
    long first = from.toEpochMilli() / HOUR;
    long last = Instant.now().toEpochMilli() / HOUR;
    CompletionStage<List<LiveEvent>> all = CompletableFuture.completedFuture(new ArrayList<>());
    for (long h = first; h <= last; h++) {
      long hour = h;
      all =
          all.thenCompose(
              acc ->
                  session
                      .selectAll(
                          "SELECT id, conversation_id, type, agents, at, data FROM "
                              + ks
                              + ".stream_events WHERE workspace = ? AND hour = ? AND id > ?",
                          workspace,
                          hour,
                          afterId)
                      .thenApply(
                          rows -> {
                            for (Row r : rows) {
                              String id = r.getString("id");
                              acc.add(
                                  new LiveEvent(
                                      id,
                                      workspace,
                                      r.getString("conversation_id"),
                                      LiveEvent.sequenceOf(id),
                                      r.getString("type"),
                                      r.getSet("agents", String.class),
                                      r.getInstant("at"),
                                      r.getString("data")));
                            }
                            return acc;
                          }));
    }
    return all;
  }

  // ---- free-form windows ----

  /**
   * A free-form window that closes at {@code closesAt} unless the customer writes again; its
   * warning is due at {@code warnAt}. With {@link #SNOOZE_ENDS} for channel: a snooze that ends at
   * {@code closesAt} (= {@code warnAt}), filed so that the watch wakes the conversation even when
   * the node whose timer held it has left.
   */
  public record WindowDeadline(
      String conversationId, String channel, Instant closesAt, Instant warnAt) {}

  /** The "channel" of a snooze's end among the deadlines. */
  public static final String SNOOZE_ENDS = "snooze";

  /** Rows outlive the time they are due by this much (a snooze may be due weeks later). */
  private static final Duration DEADLINE_KEPT = Duration.ofDays(8);

  public CompletionStage<Done> putWindowDeadline(String workspace, WindowDeadline w) {
    return writes().windowDeadline(workspace, w).run();
  }

  private Write deadlineRow(String workspace, WindowDeadline w) {
    long hour = w.warnAt().toEpochMilli() / HOUR;
    return new Write(
        "INSERT INTO "
            + ks
            + ".window_warnings (workspace, hour, warn_at, conversation_id, channel, closes_at)"
            + " VALUES (?, ?, ?, ?, ?, ?) USING TTL ?",
        workspace,
        hour,
        w.warnAt(),
        w.conversationId(),
        w.channel(),
        w.closesAt(),
        (int)
            Math.max(
                DEADLINE_KEPT.toSeconds(),
                Duration.between(Instant.now(), w.warnAt()).plus(DEADLINE_KEPT).toSeconds()));
  }

  /**
   * Window warnings of {@code workspace} due in {@code (from, to]}, in time order. Some windows may
   * have been extended by a later message since: check against the conversation's digest.
   */
  public CompletionStage<List<WindowDeadline>> windowWarningsDue(
      String workspace, Instant from, Instant to) {
    CompletionStage<List<WindowDeadline>> all =
        CompletableFuture.completedFuture(new ArrayList<>());
    for (long h = from.toEpochMilli() / HOUR; h <= to.toEpochMilli() / HOUR; h++) {
      long hour = h;
      all =
          all.thenCompose(
              acc ->
                  session
                      .selectAll(
                          "SELECT warn_at, closes_at, conversation_id, channel FROM "
                              + ks
                              + ".window_warnings WHERE workspace = ? AND hour = ?"
                              + " AND warn_at > ? AND warn_at <= ?",
                          workspace,
                          hour,
                          from,
                          to)
                      .thenApply(
                          rows -> {
                            rows.forEach(
                                r ->
                                    acc.add(
                                        new WindowDeadline(
                                            r.getString("conversation_id"),
                                            r.getString("channel"),
                                            r.getInstant("closes_at"),
                                            r.getInstant("warn_at"))));
                            return acc;
                          }));
    }
    return all;
  }

  // ---- contacts ----

  /** A contact row's last sequence number when the row was written before it was kept. */
  public static final long UNKNOWN_SEQUENCE = -1;

  /**
   * A contact as the read side shows it, and the sequence number of the last event folded into it
   * ({@link #UNKNOWN_SEQUENCE} for rows written before the ninth session).
   */
  public record ContactRow(
      String workspace,
      String contactId,
      String name,
      List<String> identities,
      Map<String, String> customFields,
      String mergedInto,
      long lastSequenceNr) {
    public ContactRow {
      identities = identities == null ? List.of() : List.copyOf(identities);
      customFields = customFields == null ? Map.of() : Map.copyOf(customFields);
    }
  }

  public CompletionStage<Optional<ContactRow>> contact(String workspace, String contactId) {
    return session
        .selectOne(
            "SELECT name, identities, custom_fields, merged_into, last_seq FROM "
                + ks
                + ".contacts WHERE workspace = ? AND contact_id = ?",
            workspace,
            contactId)
        .thenApply(
            row ->
                row.map(
                    r ->
                        new ContactRow(
                            workspace,
                            contactId,
                            r.getString("name"),
                            r.getList("identities", String.class),
                            r.getMap("custom_fields", String.class, String.class),
                            r.getString("merged_into"),
                            r.isNull("last_seq") ? UNKNOWN_SEQUENCE : r.getLong("last_seq"))));
  }

  /** Writes the contact and the search terms it can be found by. */
  public CompletionStage<Done> putContact(ContactRow c) {
    List<CompletionStage<Done>> writes = new ArrayList<>();
    writes.add(
        session.executeWrite(
            "INSERT INTO "
                + ks
                + ".contacts (workspace, contact_id, name, identities, custom_fields, merged_into,"
                + " last_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
            c.workspace(),
            c.contactId(),
            c.name(),
            c.identities(),
            c.customFields(),
            c.mergedInto(),
            c.lastSequenceNr()));
    for (String term : ContactTerms.of(c.name(), c.identities())) {
      writes.add(
          session.executeWrite(
              "INSERT INTO " + ks + ".contact_terms (workspace, term, contact_id) VALUES (?, ?, ?)",
              c.workspace(),
              term,
              c.contactId()));
    }
    return CompletableFuture.allOf(
            writes.stream()
                .map(CompletionStage::toCompletableFuture)
                .toArray(CompletableFuture[]::new))
        .thenApply(x -> Done.getInstance());
  }

  /**
   * Contacts whose name, phone number, e-mail address or channel identity matches {@code query} (a
   * whole e-mail, a phone number in any format, an identity key, or the start of a word of the
   * name); merged ones are left out.
   */
  public CompletionStage<List<ContactRow>> searchContacts(
      String workspace, String query, int limit) {
    String term = ContactTerms.queryTerm(query);
    if (term == null) {
      return CompletableFuture.completedFuture(List.of());
    }
    return session
        .selectAll(
            "SELECT contact_id FROM "
                + ks
                + ".contact_terms WHERE workspace = ? AND term = ? LIMIT ?",
            workspace,
            term,
            limit * 2)
        .thenCompose(
            rows -> {
              Set<String> ids = new LinkedHashSet<>();
              rows.forEach(r -> ids.add(r.getString("contact_id")));
              List<CompletableFuture<Optional<ContactRow>>> found =
                  ids.stream().map(id -> contact(workspace, id).toCompletableFuture()).toList();
              return CompletableFuture.allOf(found.toArray(CompletableFuture[]::new))
                  .thenApply(
                      x ->
                          found.stream()
                              .map(f -> f.getNow(Optional.empty()))
                              .flatMap(Optional::stream)
                              // terms are never deleted: check the contact still matches
                              .filter(c -> c.mergedInto() == null)
                              .filter(c -> ContactTerms.of(c.name(), c.identities()).contains(term))
                              .limit(limit)
                              .toList());
            });
  }

  // ---- json ----

  static String toJson(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T fromJson(String s, Class<T> type) {
    try {
      return JSON.readValue(s, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable read-side row: " + e.getOriginalMessage(), e);
    }
  }
}

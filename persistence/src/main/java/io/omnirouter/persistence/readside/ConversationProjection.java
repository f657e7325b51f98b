package io.omnirouter.persistence.readside;

import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.readside.ConversationDigest;
import io.omnirouter.core.readside.LiveEvent;
import io.omnirouter.core.readside.LiveEvents;
import io.omnirouter.core.window.ChannelWindows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * Projects one conversation tag: per event the conversation's list row, its stream-table entry and,
 * for messages, notes and reply states, the message rows. Events arrive in groups; each group's
 * writes go out together ({@link ReadSideStore.Writes}) and the offset is saved after them (at
 * least once: every write is an idempotent upsert and the digest skips events it has seen).
 */
final class ConversationProjection extends Handler<List<EventEnvelope<Conversation.Event>>> {
  private static final int CACHE = 10_000;
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ConversationProjection.class);

  private final String name;
  private final ReadSideStore store;
  private final LongConsumer lagMillis;
  private final Duration windowWarning;
  private final MissedEvents<Conversation.Event> missed;
  // this instance is the only writer of its tag's conversations, so its cache stays true
  private final Map<String, ConversationDigest> cache =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ConversationDigest> eldest) {
          return size() > CACHE;
        }
      };

  ConversationProjection(
      String name,
      ReadSideStore store,
      MissedEvents<Conversation.Event> missed,
      Duration windowWarning,
      LongConsumer lagMillis) {
    this.name = name;
    this.store = store;
    this.missed = missed;
    this.windowWarning = windowWarning;
    this.lagMillis = lagMillis;
  }

  /**
   * A group that fails for good (Cassandra refuses a row, an event cannot be projected) is done
   * again one event at a time, and the events that still fail are recorded in {@code
   * projection_dead_letters} and skipped — one bad event must not stop every conversation of its
   * tag (it did: docs/RELIABILITY.md "Poison input"). Transient failures (timeouts, Cassandra
   * unavailable) fail the group, and the projection retries it with backoff.
   */
  @Override
  public CompletionStage<Done> process(List<EventEnvelope<Conversation.Event>> envelopes) {
    return project(envelopes)
        .exceptionallyCompose(
            error ->
                permanent(error) ? oneByOne(envelopes, 0) : CompletableFuture.failedFuture(error));
  }

  private CompletionStage<Done> project(List<EventEnvelope<Conversation.Event>> envelopes) {
    // started from a completed stage, so that anything thrown on the way fails the stage
    return CompletableFuture.completedFuture(envelopes)
        .thenCompose(this::load)
        .thenCompose(
            digests -> withMissed(envelopes, digests).thenCompose(all -> write(all, digests)));
  }

  /**
   * The group with, before each event, any events of its conversation that the tag query skipped
   * (see {@link MissedEvents}): a conversation's events carry sequence numbers 1, 2, 3 … and all
   * are tagged, so a jump past the digest's last one is a gap, read back from the journal.
   */
  private CompletionStage<List<EventEnvelope<Conversation.Event>>> withMissed(
      List<EventEnvelope<Conversation.Event>> envelopes, Map<String, ConversationDigest> digests) {
    Map<String, Long> next = new HashMap<>();
    Map<Integer, CompletableFuture<List<EventEnvelope<Conversation.Event>>>> gaps = new HashMap<>();
    for (int i = 0; i < envelopes.size(); i++) {
      var env = envelopes.get(i);
      String id = entityId(env.persistenceId());
      long expected = next.computeIfAbsent(id, k -> digests.get(k).lastSequenceNr() + 1);
      if (env.sequenceNr() > expected) {
        log.warn(
            "Projection {}: {} #{}..{} never came with its tag; reading them from the journal",
            name,
            env.persistenceId(),
            expected,
            env.sequenceNr() - 1);
        gaps.put(
            i,
            missed
                .between(env.persistenceId(), expected, env.sequenceNr() - 1)
                .toCompletableFuture());
      }
      next.put(id, Math.max(expected, env.sequenceNr() + 1));
    }
    if (gaps.isEmpty()) {
      return CompletableFuture.completedFuture(envelopes);
    }
    return CompletableFuture.allOf(gaps.values().toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              List<EventEnvelope<Conversation.Event>> all = new ArrayList<>();
              for (int i = 0; i < envelopes.size(); i++) {
                var gap = gaps.get(i);
                if (gap != null) {
                  all.addAll(gap.getNow(List.of())); // complete: allOf above
                }
                all.add(envelopes.get(i));
              }
              return all;
            });
  }

  private CompletionStage<Done> oneByOne(List<EventEnvelope<Conversation.Event>> envelopes, int i) {
    if (i == envelopes.size()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    var env = envelopes.get(i);
    return project(List.of(env))
        .exceptionallyCompose(
            error -> {
              if (!permanent(error)) {
                return CompletableFuture.failedFuture(error);
              }
              return deadLetter(store, name, env, error);
            })
        .thenCompose(x -> oneByOne(envelopes, i + 1));
  }

  /** Logs and records an event that can never be projected, so that its projection moves on. */
  static CompletionStage<Done> deadLetter(
      ReadSideStore store, String projection, EventEnvelope<?> env, Throwable error) {
    Throwable cause = cause(error);
    log.error(
        "Projection {} skips {} #{} ({}): {}",
        projection,
        env.persistenceId(),
        env.sequenceNr(),
        env.event().getClass().getSimpleName(),
        cause.toString());
    return store.putDeadLetter(
        projection,
        new ReadSideStore.DeadLetter(
            env.persistenceId(),
            env.sequenceNr(),
            env.event().getClass().getSimpleName(),
            cause.toString(),
            Instant.now()));
  }

  /** Errors that come back however often the same rows are written. */
  static boolean permanent(Throwable error) {
    Throwable c = cause(error);
    return c instanceof IllegalArgumentException
        || c instanceof com.datastax.oss.driver.api.core.servererrors.InvalidQueryException
        || c instanceof com.datastax.oss.driver.api.core.type.codec.CodecNotFoundException;
  }

  private static Throwable cause(Throwable error) {
    Throwable c = error;
    while ((c instanceof java.util.concurrent.CompletionException
            || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /** The current digest of every conversation in the group (cached, stored, or a new one). */
  private CompletionStage<Map<String, ConversationDigest>> load(
      List<EventEnvelope<Conversation.Event>> envelopes) {
    Map<String, ConversationDigest> known = new LinkedHashMap<>();
    Map<String, CompletableFuture<ConversationDigest>> loading = new LinkedHashMap<>();
    for (var env : envelopes) {
      String id = entityId(env.persistenceId());
      ConversationDigest cached = cache.get(id);
      if (cached != null) {
        known.put(id, cached);
      } else if (!loading.containsKey(id)) {
        loading.put(
            id,
            store
                .digest(id)
                .thenApply(d -> d.orElseGet(() -> ConversationDigest.empty(id)))
                .toCompletableFuture());
      }
    }
    return CompletableFuture.allOf(loading.values().toArray(CompletableFuture[]::new))
        .thenApply(
            x -> {
              loading.forEach((id, f) -> known.put(id, f.getNow(null)));
              return known;
            });
  }

  private CompletionStage<Done> write(
      List<EventEnvelope<Conversation.Event>> envelopes, Map<String, ConversationDigest> digests) {
    ReadSideStore.Writes writes = store.writes();
    Map<String, ConversationDigest> changed = new LinkedHashMap<>();
    long newest = 0;
    for (var env : envelopes) {
      String id = entityId(env.persistenceId());
      ConversationDigest before = digests.get(id);
      if (env.sequenceNr() <= before.lastSequenceNr()) {
        continue; // seen already (at-least-once redelivery)
      }
      Conversation.Event event = env.event();
      LiveEvent live = LiveEvents.of(id, env.sequenceNr(), event, before.assignee());
      ConversationDigest after = before.apply(env.sequenceNr(), event);
      digests.put(id, after);
      changed.put(id, after);
      writes.streamEvent(live);
      ReadSideStore.MessageRow row = MessageRows.of(id, event);
      if (row != null) {
        writes.message(row);
      }
      if (event instanceof Conversation.MessageReceived m) {
        Instant closes =
            ChannelWindows.freeFormUntil(m.message().channel(), m.message().receivedAt());
        if (closes != null) {
          // due when the warning period starts, or now if it already has
          Instant warnAt = closes.minus(windowWarning);
          Instant now = Instant.now();
          writes.windowDeadline(
              after.workspace(),
              new ReadSideStore.WindowDeadline(
                  id, m.message().channel().key(), closes, warnAt.isAfter(now) ? warnAt : now));
        }
      }
      if (event instanceof Conversation.Snoozed z) {
        // filed under its end, or now if that has passed (the watch has looked there already)
        Instant now = Instant.now();
        writes.windowDeadline(
            after.workspace(),
            new ReadSideStore.WindowDeadline(
                id,
                ReadSideStore.SNOOZE_ENDS,
                z.until(),
                z.until().isAfter(now) ? z.until() : now));
      }
      String state = Conversation.replyStateAfter(event);
      if (state != null) {
        writes.messageState(id, MessageRows.replyId(event), state);
      }
      newest = Math.max(newest, env.timestamp());
    }
    changed.values().forEach(writes::digest);
    long newestTimestamp = newest;
    return writes
        .run()
        .thenApply(
            x -> {
              cache.putAll(changed);
              if (newestTimestamp > 0) {
                lagMillis.accept(Math.max(0, Instant.now().toEpochMilli() - newestTimestamp));
              }
              return Done.getInstance();
            });
  }

  static String entityId(String persistenceId) {
    return persistenceId.substring(persistenceId.indexOf('|') + 1);
  }
}

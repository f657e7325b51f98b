package io.omnirouter.core.ingest;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Where the ingest log's partitions keep their rows: one row per batch of appended entries, written
 * before any of them is acknowledged, and each partition's watermark (every row at or below it has
 * reached its conversations). Implemented over Cassandra in the persistence module.
 */
public interface IngestStore {

  /**
   * A batch as stored. {@code writer} names the partition incarnation that wrote it: two owners of
   * one partition at once (a split brain before the resolver acts) never overwrite each other.
   */
  record Row(long seq, String writer, List<IngestEntry> entries) {}

  /** The watermark and every row above it, in sequence order. */
  record Recovered(long watermark, List<Row> rows) {}

  /**
   * The watermark and the rows above it. A partition's first recovery records it (watermark 0), so
   * every partition that ever appended is in {@link #partitions()}.
   */
  CompletionStage<Recovered> recover(String partition);

  /** Every partition that has recovered at least once, whatever the configured count is now. */
  CompletionStage<List<String>> partitions();

  /** Completes once the row is durable (the configured write consistency). */
  CompletionStage<Done> append(String partition, Row row);

  /** Records the watermark and drops rows wholly below it; {@code previous} was the last saved. */
  CompletionStage<Done> advance(String partition, long previous, long watermark);

  /**
   * Keeps an entry its thread refused again and again (row {@code seq}), with why, so that it can
   * be looked at and fed again by hand; completes once durable.
   */
  CompletionStage<Done> deadLetter(String partition, long seq, IngestEntry entry, String error);

  /**
   * A dead-lettered entry as kept: its partition, its id there (time-based), when and why, and the
   * row it came from.
   */
  record DeadLetter(
      String partition, java.util.UUID id, Instant at, long seq, String error, IngestEntry entry) {}

  /** The partition's dead letters, oldest first (at most {@code limit}). */
  CompletionStage<List<DeadLetter>> deadLetters(String partition, int limit);

  /** Drops a dead letter (it was fed again); completes once durable. */
  CompletionStage<Done> forget(String partition, java.util.UUID id);
}

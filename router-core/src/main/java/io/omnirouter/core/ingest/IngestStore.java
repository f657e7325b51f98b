package io.omnirouter.core.ingest;

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

  CompletionStage<Recovered> recover(String partition);

  /** Completes once the row is durable (the configured write consistency). */
  CompletionStage<Done> append(String partition, Row row);

  /** Records the watermark and drops rows wholly below it; {@code previous} was the last saved. */
  CompletionStage<Done> advance(String partition, long previous, long watermark);

  /**
   * Keeps an entry its thread refused again and again (row {@code seq}), with why, so that it can
   * be looked at and fed again by hand; completes once durable.
   */
  CompletionStage<Done> deadLetter(String partition, long seq, IngestEntry entry, String error);
}

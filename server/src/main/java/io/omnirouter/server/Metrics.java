package io.omnirouter.server;

import io.omnirouter.core.RouterCore;
import io.omnirouter.core.ingest.IngestPartition;
import io.omnirouter.persistence.readside.ReadSide;
import java.time.Duration;
import kamon.Kamon;
import kamon.metric.MeasurementUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/** Our gauges that are sampled rather than counted where they happen. */
final class Metrics {
  private Metrics() {}

  /**
   * {@code omnirouter_projection_lag_seconds{projection=conv-0…}}: how old the newest event a
   * projection instance on this node wrote was when it wrote it.
   */
  static void projectionLag(ActorSystem<?> system, ReadSide readSide) {
    var gauge = Kamon.gauge("omnirouter.projection.lag", MeasurementUnit.time().milliseconds());
    system
        .scheduler()
        .scheduleAtFixedRate(
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            () ->
                readSide
                    .lagMillis()
                    .forEach((tag, lag) -> gauge.withTag("projection", tag).update(lag.get())),
            system.executionContext());
  }

  /**
   * {@code omnirouter_ingest_wait_seconds}: how long entries waited in the ingest log before their
   * conversation had them (fed on this node); {@code omnirouter_ingest_backlog} and {@code
   * omnirouter_ingest_oldest_seconds}: entries acknowledged and not yet in their threads,
   * cluster-wide, and the age of the oldest.
   */
  static void ingest(ActorSystem<?> system, RouterCore core) {
    if (!core.ingestLog()) {
      return;
    }
    var waited =
        Kamon.histogram("omnirouter.ingest.wait", MeasurementUnit.time().milliseconds())
            .withoutTags();
    var deadLetters = Kamon.counter("omnirouter.ingest.dead.letters").withoutTags();
    core.onIngestFed(
        new IngestPartition.Observer() {
          @Override
          public void fed(long waitedMillis) {
            waited.record(waitedMillis);
          }

          @Override
          public void deadLettered() {
            deadLetters.increment();
          }
        });
    var backlog = Kamon.gauge("omnirouter.ingest.backlog").withoutTags();
    var oldest =
        Kamon.gauge("omnirouter.ingest.oldest", MeasurementUnit.time().milliseconds())
            .withoutTags();
    system
        .scheduler()
        .scheduleAtFixedRate(
            Duration.ofSeconds(2),
            Duration.ofSeconds(2),
            () ->
                core.ingestBacklog(Duration.ofSeconds(2))
                    .thenAccept(
                        b -> {
                          backlog.update(b.entries());
                          oldest.update(b.oldestMillis());
                        }),
            system.executionContext());
  }

  /**
   * {@code omnirouter_assignment_step_seconds{step=reserve|accept}}: for each assignment accepted
   * by a team router on this node, how long its agent took to reserve the slot (a journal write)
   * and its conversation to accept it (another), as the router saw them (ADR 0004).
   */
  static void assignments(RouterCore core) {
    var steps = Kamon.histogram("omnirouter.assignment.step", MeasurementUnit.time().nanoseconds());
    var reserve = steps.withTag("step", "reserve");
    var accept = steps.withTag("step", "accept");
    core.onAssigned(
        (reserveNanos, acceptNanos) -> {
          reserve.record(reserveNanos);
          accept.record(acceptNanos);
        });
  }
}

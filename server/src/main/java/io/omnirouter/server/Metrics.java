package io.omnirouter.server;

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
}

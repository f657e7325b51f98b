package io.omnirouter.core.testing;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** The ActorTestKit for EventSourcedBehaviorTestKit tests: in-memory journal, quiet logs. */
public final class TestKits {
  private TestKits() {}

  public static ActorTestKit eventSourced() {
    return ActorTestKit.create(
        EventSourcedBehaviorTestKit.config()
            .withFallback(ConfigFactory.parseString("pekko.loglevel = WARNING"))
            .withFallback(ConfigFactory.load()));
  }
}

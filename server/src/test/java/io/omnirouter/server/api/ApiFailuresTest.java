package io.omnirouter.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletionException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A request whose entity or Cassandra does not answer in time is retryable (503 + Retry-After); the
 * load tool's verification met a 500 for a conversation that was busy after a storm.
 */
class ApiFailuresTest {
  @Test
  void anUnansweredAskIsA503WithRetryAfterAndAnythingElseA500() {
    var busy =
        InboxRoutes.failure(new CompletionException(new AskTimeoutException("Ask timed out")));
    assertEquals(503, busy.status().intValue());
    assertTrue(busy.getHeader("Retry-After").isPresent());
    assertEquals("application/problem+json", busy.entity().getContentType().mediaType().toString());
    var cassandra =
        InboxRoutes.failure(
            new com.datastax.oss.driver.api.core.DriverTimeoutException("Query timed out"));
    assertEquals(503, cassandra.status().intValue());
    var bug = InboxRoutes.failure(new IllegalStateException("a bug"));
    assertEquals(500, bug.status().intValue());
    assertTrue(bug.getHeader("Retry-After").isEmpty());
  }
}

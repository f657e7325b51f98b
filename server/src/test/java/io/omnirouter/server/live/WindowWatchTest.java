package io.omnirouter.server.live;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.readside.ConversationDigest;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A snooze's end wakes its conversation only while the read side still shows it snoozed. */
class WindowWatchTest {
  static Optional<ConversationDigest> digest(String status) {
    Instant t = Instant.parse("2026-11-23T20:00:00Z");
    return Optional.of(
        new ConversationDigest(
            "ws~ct-1", status, "support", "a1", 0, Set.of(), Set.of(), Map.of(), t, t, "", 1, 4));
  }

  @Test
  void aConversationStillSnoozedAtItsSnoozesEndIsWokenOthersAreNot() {
    assertTrue(WindowWatch.stillSnoozed(digest("snoozed")));
    // its own timer woke it, or the customer wrote: nothing to do
    assertFalse(WindowWatch.stillSnoozed(digest("assigned")));
    assertFalse(WindowWatch.stillSnoozed(digest("resolved")));
    assertFalse(WindowWatch.stillSnoozed(Optional.empty()));
  }
}

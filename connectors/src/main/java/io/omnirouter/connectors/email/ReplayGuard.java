package io.omnirouter.connectors.email;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokens already accepted, bounded (oldest forgotten first). Per node: across a cluster, the
 * freshness window still bounds a replay to a few minutes and dedup by Message-ID stores nothing
 * twice.
 */
public final class ReplayGuard {
  private final Map<String, Boolean> seen;

  public ReplayGuard(int capacity) {
    this.seen =
        Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
              @Override
              protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
              }
            });
  }

  public boolean seen(String token) {
    return seen.containsKey(token);
  }

  public void remember(String token) {
    seen.put(token, Boolean.TRUE);
  }
}

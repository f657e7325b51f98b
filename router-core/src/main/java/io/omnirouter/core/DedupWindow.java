package io.omnirouter.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The last {@code capacity} keys seen, oldest first; immutable. Part of entity state, so it is
 * snapshotted and survives restarts and passivation.
 *
 * <p>Most conversations hold a handful of keys and sit idle in memory: up to {@link #SCAN_LIMIT}
 * keys are one array searched in order (48 bytes for one key, where a list and a hash set took
 * about 300 — docs/BENCHMARKS.md, B6); a longer window adds a hash index.
 */
public final class DedupWindow {
  static final int SCAN_LIMIT = 16;
  private static final DedupWindow EMPTY = new DedupWindow(new String[0]);

  private final String[] keys;
  private final Set<String> index; // null up to SCAN_LIMIT keys

  private DedupWindow(String[] keys) {
    this.keys = keys;
    this.index = keys.length > SCAN_LIMIT ? new HashSet<>(Arrays.asList(keys)) : null;
  }

  public static DedupWindow empty() {
    return EMPTY;
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static DedupWindow of(List<String> keys) {
    return keys.isEmpty() ? EMPTY : new DedupWindow(keys.toArray(String[]::new));
  }

  public boolean contains(String key) {
    if (index != null) {
      return index.contains(key);
    }
    for (String k : keys) {
      if (k.equals(key)) {
        return true;
      }
    }
    return false;
  }

  /** This window with {@code key} added, dropping the oldest keys beyond {@code capacity}. */
  public DedupWindow plus(String key, int capacity) {
    if (contains(key)) {
      return this;
    }
    int drop = Math.max(0, keys.length + 1 - capacity);
    String[] next = Arrays.copyOfRange(keys, drop, keys.length + 1);
    next[next.length - 1] = key;
    return new DedupWindow(next);
  }

  @JsonValue
  public List<String> keys() {
    return List.of(keys);
  }

  public int size() {
    return keys.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DedupWindow other && Arrays.equals(keys, other.keys);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(keys);
  }

  @Override
  public String toString() {
    return "DedupWindow" + Arrays.toString(keys);
  }
}

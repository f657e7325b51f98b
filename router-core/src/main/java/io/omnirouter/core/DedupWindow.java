package io.omnirouter.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The last {@code capacity} keys seen, oldest first; immutable. Part of entity state, so it is
 * snapshotted and survives restarts and passivation.
 */
public final class DedupWindow {
  private final List<String> keys;
  private final Set<String> index;

  private DedupWindow(List<String> keys) {
    this.keys = Collections.unmodifiableList(keys);
    this.index = new HashSet<>(keys);
  }

  public static DedupWindow empty() {
    return new DedupWindow(new ArrayList<>());
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static DedupWindow of(List<String> keys) {
    return new DedupWindow(new ArrayList<>(keys));
  }

  public boolean contains(String key) {
    return index.contains(key);
  }

  /** This window with {@code key} added, dropping the oldest keys beyond {@code capacity}. */
  public DedupWindow plus(String key, int capacity) {
    if (contains(key)) {
      return this;
    }
    int drop = Math.max(0, keys.size() + 1 - capacity);
    List<String> next = new ArrayList<>(keys.subList(drop, keys.size()));
    next.add(key);
    return new DedupWindow(next);
  }

  @JsonValue
  public List<String> keys() {
    return keys;
  }

  public int size() {
    return keys.size();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DedupWindow other && keys.equals(other.keys);
  }

  @Override
  public int hashCode() {
    return keys.hashCode();
  }

  @Override
  public String toString() {
    return "DedupWindow" + keys;
  }
}

package io.omnirouter.core;

import java.util.LinkedHashMap;
import java.util.Map;

/** Bounded maps for what is remembered only to save work: the oldest entries go first. */
public final class Lru {
  private Lru() {}

  /**
   * A map of at most {@code max} entries; beyond that the least recently used ({@code accessOrder})
   * or inserted entry is dropped. Not thread-safe.
   */
  public static <K, V> Map<K, V> map(int max, boolean accessOrder) {
    return new LinkedHashMap<>(64, 0.75f, accessOrder) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }
}

package io.omnirouter.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * The window against the obvious model — the last {@code capacity} distinct keys, oldest first —
 * for windows small enough to be scanned and large enough to be indexed (invariant 2 rests on it).
 */
class DedupWindowTest {

  @Property(tries = 300)
  void holdsExactlyTheLastDistinctKeysInOrder(
      @ForAll @Size(max = 120) List<@StringLength(min = 1, max = 3) String> keys,
      @ForAll @IntRange(min = 1, max = 40) int capacity) {
    DedupWindow window = DedupWindow.empty();
    List<String> model = new ArrayList<>();
    for (String key : keys) {
      window = window.plus(key, capacity);
      if (!model.contains(key)) {
        model.add(key);
        while (model.size() > capacity) {
          model.remove(0);
        }
      }
      assertEquals(model, window.keys());
    }
    for (String key : new LinkedHashSet<>(keys)) {
      assertEquals(model.contains(key), window.contains(key), key);
    }
    assertEquals(window, DedupWindow.of(window.keys()), "survives its JSON form");
  }
}

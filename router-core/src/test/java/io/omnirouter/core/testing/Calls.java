package io.omnirouter.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What an entity told its ports, in order, as readable strings. */
public final class Calls {
  private final List<String> calls = new CopyOnWriteArrayList<>();

  public void add(String call) {
    calls.add(call);
  }

  public List<String> drain() {
    List<String> out = new ArrayList<>(calls);
    calls.clear();
    return out;
  }

  public List<String> all() {
    return List.copyOf(calls);
  }
}

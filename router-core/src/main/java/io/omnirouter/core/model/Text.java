package io.omnirouter.core.model;

/**
 * Text that any UTF-8 encoder takes. Java strings may hold half of a surrogate pair (a JSON escape
 * like {@code "\ud83d"}, a cut through an emoji); Cassandra's driver refuses such a string, and
 * every write carrying it fails for ever — a wedged conversation or projection. Halves become
 * U+FFFD, as a decoder does with bad bytes.
 */
public final class Text {
  private Text() {}

  /** {@code s} with unpaired surrogates replaced by U+FFFD, or null if it has none. */
  public static String repaired(String s) {
    StringBuilder out = null;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1));
      boolean ok = pair || !Character.isSurrogate(c);
      int width = pair ? 2 : 1;
      if (!ok && out == null) {
        out = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (out != null) {
        if (ok) {
          out.append(s, i, i + width);
        } else {
          out.append('\uFFFD');
        }
      }
      i += width;
    }
    return out == null ? null : out.toString();
  }

  /** At most the first {@code max} chars of {@code s}, never ending in half of a pair. */
  public static String prefix(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    return s.substring(0, Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max);
  }

  /** {@code s} itself when well formed, else {@link #repaired}. */
  public static String wellFormed(String s) {
    String fixed = s == null ? null : repaired(s);
    return fixed == null ? s : fixed;
  }
}

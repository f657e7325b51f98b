package io.omnirouter.core.readside;

import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The journal tags the read side reads, and nothing else is tagged (each tag costs a write per
 * event). Conversations spread over {@link #CONVERSATION_TAG_COUNT} tags so that as many projection
 * instances share the work; all events of one conversation carry the same tag, so they are
 * projected in order. Changing the count re-partitions the journal: it is fixed, not configured.
 */
public final class ReadSideTags {
  public static final int CONVERSATION_TAG_COUNT = 4;
  public static final String CONTACT_TAG = "contact";

  private ReadSideTags() {}

  private static final List<String> CONVERSATION_TAGS =
      IntStream.range(0, CONVERSATION_TAG_COUNT).mapToObj(i -> "conv-" + i).toList();
  // one shared set per tag: each conversation in memory holds its tags
  private static final List<Set<String>> CONVERSATION_TAG_SETS =
      CONVERSATION_TAGS.stream().map(Set::of).toList();

  public static String conversationTag(String entityId) {
    return CONVERSATION_TAGS.get(tagIndex(entityId));
  }

  public static Set<String> conversationTagSet(String entityId) {
    return CONVERSATION_TAG_SETS.get(tagIndex(entityId));
  }

  private static int tagIndex(String entityId) {
    return Math.floorMod(entityId.hashCode(), CONVERSATION_TAG_COUNT);
  }

  public static List<String> conversationTags() {
    return CONVERSATION_TAGS;
  }
}

package io.omnirouter.persistence.readside;

import io.omnirouter.core.contact.IdentityKey;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The search terms a contact is found by: its phone numbers and e-mail addresses (normalized as
 * identity keys are, so any spelling finds them) and the beginnings of the words of its name.
 */
final class ContactTerms {
  static final int MIN_PREFIX = 2;
  static final int MAX_PREFIX = 20;

  private ContactTerms() {}

  static Set<String> of(String name, List<String> identities) {
    Set<String> terms = new LinkedHashSet<>();
    if (name != null) {
      for (String word : name.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
        for (int n = MIN_PREFIX; n <= Math.min(word.length(), MAX_PREFIX); n++) {
          terms.add("name:" + word.substring(0, n));
        }
      }
    }
    for (String id : identities) {
      if (id.startsWith("phone:") || id.startsWith("email:")) {
        terms.add(id);
      }
    }
    return terms;
  }

  /** The term a search string looks up, or null if it cannot match anything. */
  static String queryTerm(String query) {
    String q = query == null ? "" : query.trim();
    try {
      if (q.contains("@")) {
        return IdentityKey.email(q);
      }
      if (q.matches("[+0-9 ()./-]+") && q.replaceAll("[^0-9]", "").length() >= 5) {
        return IdentityKey.phone(q);
      }
    } catch (IllegalArgumentException notAnAddress) {
      return null;
    }
    String[] words = q.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+");
    String first = words.length == 0 ? "" : words[0];
    if (first.length() < MIN_PREFIX) {
      return null;
    }
    return "name:" + first.substring(0, Math.min(first.length(), MAX_PREFIX));
  }
}

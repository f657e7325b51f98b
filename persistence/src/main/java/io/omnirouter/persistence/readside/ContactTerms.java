package io.omnirouter.persistence.readside;

import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Text;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The search terms a contact is found by: its phone numbers and e-mail addresses (normalized as
 * identity keys are, so any spelling finds them), its channel identities as keys ({@code
 * telegram:<bot>/<user id>}, exactly) and the beginnings of the words of its name.
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
          terms.add("name:" + Text.prefix(word, n)); // never half a pair (𠮷): n-1 then, again
        }
      }
    }
    terms.addAll(identities);
    return terms;
  }

  /** {@code <channel>:<account>/<id>} as {@link IdentityKey#of} builds it for channel ids. */
  private static boolean isChannelIdentity(String q) {
    int colon = q.indexOf(':');
    if (colon <= 0 || q.indexOf('/', colon) < 0) {
      return false;
    }
    try {
      Channel.fromKey(q.substring(0, colon));
      return true;
    } catch (IllegalArgumentException notAChannel) {
      return false;
    }
  }

  /** The term a search string looks up, or null if it cannot match anything. */
  static String queryTerm(String query) {
    String q = query == null ? "" : query.trim();
    if (isChannelIdentity(q)) {
      return q; // as given: channel ids are case-sensitive
    }
    if (q.startsWith("phone:") || q.startsWith("email:")) {
      q = q.substring(6); // an identity key as the contact lists it
    }
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
    return "name:" + Text.prefix(first, MAX_PREFIX);
  }
}

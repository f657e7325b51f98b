package io.omnirouter.persistence.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContactTermsTest {

  @Test
  void aContactIsFoundByPhoneEmailChannelIdentityAndNamePrefix() {
    Set<String> terms =
        ContactTerms.of(
            "Zoë Müller",
            List.of(
                "phone:+4915112345678", "email:zoe@example.com", "telegram:demo-bot/700000001"));
    for (String q :
        List.of(
            "+49 151 1234 5678", "Zoe@Example.com", "telegram:demo-bot/700000001", "zo", "Müll")) {
      assertTrue(terms.contains(ContactTerms.queryTerm(q)), q);
    }
  }

  @Test
  void namePrefixesNeverEndInHalfASurrogatePair() {
    // 𠮷 is one letter of two chars (CJK Extension B, used in Japanese names)
    Set<String> terms = ContactTerms.of("𠮷野家", List.of());
    for (String t : terms) {
      assertTrue(!Character.isHighSurrogate(t.charAt(t.length() - 1)), t);
    }
    assertTrue(terms.contains("name:𠮷野"), terms.toString());
    assertTrue(terms.contains(ContactTerms.queryTerm("𠮷野")));
    String longName = "a".repeat(ContactTerms.MAX_PREFIX - 1) + "𠮷";
    String q = ContactTerms.queryTerm(longName);
    assertTrue(!Character.isHighSurrogate(q.charAt(q.length() - 1)), q);
  }

  @Test
  void channelIdentitiesMatchExactlyAndOtherColonsAreNames() {
    assertEquals("line:demo-line/Uabc", ContactTerms.queryTerm("line:demo-line/Uabc"));
    assertEquals("name:nochannel", ContactTerms.queryTerm("nochannel:x/y"));
    assertNull(ContactTerms.queryTerm("x"));
  }
}

package io.omnirouter.connectors.email;

import io.omnirouter.core.EntityIds;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Message-IDs of the e-mails we send: {@code <message-id.contact-id@domain>}. A customer's reply
 * carries one in In-Reply-To/References, which names the thread it belongs to.
 */
public final class OurMessageIds {
  private static final Pattern CONTACT = Pattern.compile("<[^<>@]*\\.(ct-[0-9a-f-]{36})@[^<>]+>");

  private OurMessageIds() {}

  public static String of(String messageId, String conversationId, String domain) {
    String contact = EntityIds.local(conversationId);
    return "<" + messageId.replaceAll("[^A-Za-z0-9_-]", "_") + "." + contact + "@" + domain + ">";
  }

  /** The contact named by the first of our Message-IDs among {@code references}. */
  public static Optional<String> contactIn(Iterable<String> references) {
    for (String ref : references) {
      Matcher m = CONTACT.matcher(ref == null ? "" : ref);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }
}

package io.omnirouter.core.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConversationDigestTest {

  @Test
  void thePreviewNeverEndsInHalfASurrogatePair() throws CharacterCodingException {
    // an emoji (two chars) straddling the cut: the cut moves before it
    String text = "a".repeat(ConversationDigest.PREVIEW - 1) + "😀 and more";
    String preview = ConversationDigest.preview(text);
    assertEquals("a".repeat(ConversationDigest.PREVIEW - 1), preview);
    // the strict encoder Cassandra's driver uses takes it
    StandardCharsets.UTF_8
        .newEncoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .encode(CharBuffer.wrap(preview));
    // an emoji that fits whole stays
    String fits = "a".repeat(ConversationDigest.PREVIEW - 2) + "😀 and more";
    assertEquals(fits.substring(0, ConversationDigest.PREVIEW), ConversationDigest.preview(fits));
    assertEquals("short", ConversationDigest.preview("short"));
    assertNull(ConversationDigest.preview(null));
  }
}

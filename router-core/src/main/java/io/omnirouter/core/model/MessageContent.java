package io.omnirouter.core.model;

import io.omnirouter.core.CborSerializable;
import java.util.List;

/**
 * What a customer sent, normalized across channels. Fields that do not apply are null.
 *
 * @param text the text, a media caption, an e-mail's plain body, or a readable summary
 * @param mediaId the provider's media id (to download it later) where it has one
 * @param replyId the id of the button or list row a customer picked (interactive reply, postback)
 * @param references e-mail threading: Message-ID, In-Reply-To and References
 */
public record MessageContent(
    Type type,
    String text,
    String mediaId,
    String mediaUrl,
    String mimeType,
    String fileName,
    Double latitude,
    Double longitude,
    String locationName,
    String replyId,
    String subject,
    String emailMessageId,
    String inReplyTo,
    List<String> references)
    implements CborSerializable {

  public enum Type {
    TEXT,
    IMAGE,
    VIDEO,
    AUDIO,
    FILE,
    STICKER,
    LOCATION,
    CONTACT,
    INTERACTIVE_REPLY,
    EMAIL,
    UNSUPPORTED
  }

  public MessageContent {
    references = references == null ? List.of() : List.copyOf(references);
  }

  public static MessageContent text(String text) {
    return new MessageContent(
        Type.TEXT, text, null, null, null, null, null, null, null, null, null, null, null,
        List.of());
  }

  public static MessageContent media(
      Type type,
      String caption,
      String mediaId,
      String mediaUrl,
      String mimeType,
      String fileName) {
    return new MessageContent(
        type, caption, mediaId, mediaUrl, mimeType, fileName, null, null, null, null, null, null,
        null, List.of());
  }

  public static MessageContent location(double lat, double lon, String name) {
    return new MessageContent(
        Type.LOCATION,
        name,
        null,
        null,
        null,
        null,
        lat,
        lon,
        name,
        null,
        null,
        null,
        null,
        List.of());
  }

  public static MessageContent reply(String id, String title) {
    return new MessageContent(
        Type.INTERACTIVE_REPLY,
        title,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        id,
        null,
        null,
        null,
        List.of());
  }

  public static MessageContent contact(String summary) {
    return new MessageContent(
        Type.CONTACT,
        summary,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        List.of());
  }

  public static MessageContent email(
      String subject, String body, String messageId, String inReplyTo, List<String> references) {
    return new MessageContent(
        Type.EMAIL,
        body,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        subject,
        messageId,
        inReplyTo,
        references);
  }

  public static MessageContent unsupported(String what) {
    return new MessageContent(
        Type.UNSUPPORTED,
        what,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        List.of());
  }
}

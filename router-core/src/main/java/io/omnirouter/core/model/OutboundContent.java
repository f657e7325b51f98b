package io.omnirouter.core.model;

import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.window.ChannelWindows;
import java.util.List;

/**
 * What an agent sends: text, media (with caption), a template, or an interactive message. {@code
 * humanAgentTag} marks a Messenger/Instagram message sent with the HUMAN_AGENT tag.
 */
public record OutboundContent(
    Type type,
    String text,
    String mediaUrl,
    String templateName,
    String templateLanguage,
    List<String> templateParameters,
    boolean humanAgentTag,
    List<Button> buttons)
    implements CborSerializable {

  /** A reply button or list row of an interactive message; {@code id} comes back when picked. */
  public record Button(String id, String title) implements CborSerializable {}

  public enum Type {
    TEXT,
    MEDIA,
    TEMPLATE,
    INTERACTIVE
  }

  public OutboundContent {
    templateParameters = templateParameters == null ? List.of() : List.copyOf(templateParameters);
    buttons = buttons == null ? List.of() : List.copyOf(buttons);
  }

  public static OutboundContent text(String text) {
    return new OutboundContent(Type.TEXT, text, null, null, null, List.of(), false, List.of());
  }

  public static OutboundContent template(String name, String language, List<String> parameters) {
    return new OutboundContent(
        Type.TEMPLATE, null, null, name, language, parameters, false, List.of());
  }

  /**
   * A text with reply buttons (WhatsApp buttons or list, Telegram inline keyboard, Messenger quick
   * replies).
   */
  public static OutboundContent interactive(String text, List<Button> buttons) {
    return new OutboundContent(Type.INTERACTIVE, text, null, null, null, List.of(), false, buttons);
  }

  /** Which window rule applies to this content. */
  public ChannelWindows.Kind windowKind() {
    if (type == Type.TEMPLATE) {
      return ChannelWindows.Kind.TEMPLATE;
    }
    return humanAgentTag ? ChannelWindows.Kind.HUMAN_AGENT_TAG : ChannelWindows.Kind.FREE_FORM;
  }
}

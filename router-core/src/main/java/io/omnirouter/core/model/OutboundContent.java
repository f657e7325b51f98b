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
    boolean humanAgentTag)
    implements CborSerializable {

  public enum Type {
    TEXT,
    MEDIA,
    TEMPLATE,
    INTERACTIVE
  }

  public OutboundContent {
    templateParameters = templateParameters == null ? List.of() : List.copyOf(templateParameters);
  }

  public static OutboundContent text(String text) {
    return new OutboundContent(Type.TEXT, text, null, null, null, List.of(), false);
  }

  public static OutboundContent template(String name, String language, List<String> parameters) {
    return new OutboundContent(Type.TEMPLATE, null, null, name, language, parameters, false);
  }

  /** Which window rule applies to this content. */
  public ChannelWindows.Kind windowKind() {
    if (type == Type.TEMPLATE) {
      return ChannelWindows.Kind.TEMPLATE;
    }
    return humanAgentTag ? ChannelWindows.Kind.HUMAN_AGENT_TAG : ChannelWindows.Kind.FREE_FORM;
  }
}

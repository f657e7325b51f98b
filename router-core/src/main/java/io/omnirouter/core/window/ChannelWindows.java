package io.omnirouter.core.window;

import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.model.Channel;
import java.time.Duration;
import java.time.Instant;

/**
 * Which outbound messages each channel allows, and until when — the one place this policy lives
 * (DESIGN.md "Channel windows"). Pure: the same inputs always give the same decision. A window is
 * open up to and including its closing instant.
 */
public final class ChannelWindows {
  public static final Duration WHATSAPP = Duration.ofHours(24);
  public static final Duration WECHAT = Duration.ofHours(48);
  public static final Duration MESSENGER_STANDARD = Duration.ofHours(24);
  public static final Duration MESSENGER_HUMAN_AGENT = Duration.ofDays(7);
  public static final Duration LINE_REPLY_TOKEN = Duration.ofMinutes(1);

  private ChannelWindows() {}

  /** What an agent wants to send. */
  public enum Kind {
    /** text, media, interactive: allowed only inside the customer-service window */
    FREE_FORM,
    /** a provider-approved template (WhatsApp, WeChat template message) */
    TEMPLATE,
    /** Messenger/Instagram message tagged HUMAN_AGENT */
    HUMAN_AGENT_TAG
  }

  /** Why a send is refused, or how it must go. */
  public enum Reason {
    OPEN,
    WINDOW_CLOSED,
    NO_CUSTOMER_MESSAGE,
    OPTED_OUT,
    SESSION_ENDED,
    TEMPLATE_NOT_SUPPORTED,
    TAG_NOT_SUPPORTED
  }

  /** What the outside of a window requires. */
  public enum Fallback {
    NONE,
    TEMPLATE,
    HUMAN_AGENT_TAG,
    PUSH,
    OTHER_CHANNEL
  }

  /** Facts about the contact on this channel that the policy needs. */
  public record Context(Instant lastInboundAt, boolean optedOut, boolean sessionLive)
      implements CborSerializable {
    public static Context lastInbound(Instant at) {
      return new Context(at, false, true);
    }
  }

  /**
   * @param freeFormUntil end of the free-form window (inclusive); null where the channel has none
   * @param closedAt when the window that refused this send closed; null unless refused by time
   */
  public record Decision(
      boolean allowed, Reason reason, Instant freeFormUntil, Instant closedAt, Fallback fallback)
      implements CborSerializable {}

  public static Decision decide(Channel channel, Kind kind, Context ctx, Instant now) {
    Instant last = ctx.lastInboundAt();
    return switch (channel) {
      case WHATSAPP -> timed(kind, last, now, WHATSAPP);
      case WECHAT -> timed(kind, last, now, WECHAT);
      case MESSENGER, INSTAGRAM -> messenger(kind, last, now);
      case LINE -> line(kind, last, now);
      case SMS ->
          ctx.optedOut()
              ? new Decision(false, Reason.OPTED_OUT, null, null, Fallback.OTHER_CHANNEL)
              : always(kind);
      case WEBCHAT ->
          ctx.sessionLive()
              ? always(kind)
              : new Decision(false, Reason.SESSION_ENDED, null, null, Fallback.OTHER_CHANNEL);
      case TELEGRAM, VIBER, EMAIL, CUSTOM -> always(kind);
    };
  }

  /** When the free-form window closes, or null if this channel has no timed window. */
  public static Instant freeFormUntil(Channel channel, Instant lastInboundAt) {
    if (lastInboundAt == null) {
      return null;
    }
    return switch (channel) {
      case WHATSAPP -> lastInboundAt.plus(WHATSAPP);
      case WECHAT -> lastInboundAt.plus(WECHAT);
      case MESSENGER, INSTAGRAM -> lastInboundAt.plus(MESSENGER_STANDARD);
      default -> null;
    };
  }

  private static Decision always(Kind kind) {
    if (kind == Kind.HUMAN_AGENT_TAG) {
      return new Decision(false, Reason.TAG_NOT_SUPPORTED, null, null, Fallback.NONE);
    }
    return new Decision(true, Reason.OPEN, null, null, Fallback.NONE);
  }

  /** WhatsApp and WeChat: free-form inside the window, an approved template any time. */
  private static Decision timed(Kind kind, Instant last, Instant now, Duration window) {
    if (kind == Kind.TEMPLATE) {
      return new Decision(true, Reason.OPEN, until(last, window), null, Fallback.NONE);
    }
    if (kind == Kind.HUMAN_AGENT_TAG) {
      return new Decision(
          false, Reason.TAG_NOT_SUPPORTED, until(last, window), null, Fallback.TEMPLATE);
    }
    if (last == null) {
      return new Decision(false, Reason.NO_CUSTOMER_MESSAGE, null, null, Fallback.TEMPLATE);
    }
    Instant until = last.plus(window);
    return now.isAfter(until)
        ? new Decision(false, Reason.WINDOW_CLOSED, until, until, Fallback.TEMPLATE)
        : new Decision(true, Reason.OPEN, until, null, Fallback.NONE);
  }

  private static Decision messenger(Kind kind, Instant last, Instant now) {
    if (kind == Kind.TEMPLATE) {
      Instant until = until(last, MESSENGER_STANDARD);
      return new Decision(
          false, Reason.TEMPLATE_NOT_SUPPORTED, until, null, Fallback.HUMAN_AGENT_TAG);
    }
    if (last == null) {
      return new Decision(false, Reason.NO_CUSTOMER_MESSAGE, null, null, Fallback.OTHER_CHANNEL);
    }
    Instant standard = last.plus(MESSENGER_STANDARD);
    Instant tagged = last.plus(MESSENGER_HUMAN_AGENT);
    if (kind == Kind.HUMAN_AGENT_TAG) {
      return now.isAfter(tagged)
          ? new Decision(false, Reason.WINDOW_CLOSED, standard, tagged, Fallback.OTHER_CHANNEL)
          : new Decision(true, Reason.OPEN, standard, null, Fallback.NONE);
    }
    if (!now.isAfter(standard)) {
      return new Decision(true, Reason.OPEN, standard, null, Fallback.NONE);
    }
    Fallback fallback = now.isAfter(tagged) ? Fallback.OTHER_CHANNEL : Fallback.HUMAN_AGENT_TAG;
    return new Decision(false, Reason.WINDOW_CLOSED, standard, standard, fallback);
  }

  /** LINE: the free reply token lasts about a minute; after it a push (counted against quota). */
  private static Decision line(Kind kind, Instant last, Instant now) {
    if (kind != Kind.FREE_FORM) {
      Reason reason =
          kind == Kind.TEMPLATE ? Reason.TEMPLATE_NOT_SUPPORTED : Reason.TAG_NOT_SUPPORTED;
      return new Decision(false, reason, null, null, Fallback.NONE);
    }
    if (last != null && !now.isAfter(last.plus(LINE_REPLY_TOKEN))) {
      return new Decision(true, Reason.OPEN, last.plus(LINE_REPLY_TOKEN), null, Fallback.NONE);
    }
    return new Decision(true, Reason.OPEN, null, null, Fallback.PUSH);
  }

  private static Instant until(Instant last, Duration window) {
    return last == null ? null : last.plus(window);
  }
}

package io.omnirouter.core.window;

import static io.omnirouter.core.window.ChannelWindows.Kind.FREE_FORM;
import static io.omnirouter.core.window.ChannelWindows.Kind.HUMAN_AGENT_TAG;
import static io.omnirouter.core.window.ChannelWindows.Kind.TEMPLATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.model.Channel;
import io.omnirouter.core.window.ChannelWindows.Context;
import io.omnirouter.core.window.ChannelWindows.Decision;
import io.omnirouter.core.window.ChannelWindows.Fallback;
import io.omnirouter.core.window.ChannelWindows.Reason;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ChannelWindowsTest {
  static final Instant LAST = Instant.parse("2026-11-20T08:30:00Z");
  static final Duration MS = Duration.ofMillis(1);

  static Decision at(Channel ch, ChannelWindows.Kind kind, Duration sinceLast) {
    return ChannelWindows.decide(ch, kind, Context.lastInbound(LAST), LAST.plus(sinceLast));
  }

  @ParameterizedTest
  @CsvSource({"WHATSAPP, PT24H", "WECHAT, PT48H", "MESSENGER, PT24H", "INSTAGRAM, PT24H"})
  void freeFormIsAllowedUpToExactlyTheWindowAndRefusedOneMillisecondPast(
      Channel ch, Duration window) {
    Decision atEdge = at(ch, FREE_FORM, window);
    assertTrue(atEdge.allowed());
    assertEquals(LAST.plus(window), atEdge.freeFormUntil());

    Decision past = at(ch, FREE_FORM, window.plus(MS));
    assertFalse(past.allowed());
    assertEquals(Reason.WINDOW_CLOSED, past.reason());
    assertEquals(LAST.plus(window), past.closedAt(), "the API says when it closed");
    assertEquals(LAST.plus(window), ChannelWindows.freeFormUntil(ch, LAST));
  }

  @ParameterizedTest
  @EnumSource(
      value = Channel.class,
      names = {"WHATSAPP", "WECHAT"})
  void templatesAreAllowedOutsideTheWindowAndNamedAsTheFallback(Channel ch) {
    assertEquals(Fallback.TEMPLATE, at(ch, FREE_FORM, Duration.ofDays(30)).fallback());
    assertTrue(at(ch, TEMPLATE, Duration.ofDays(30)).allowed());
  }

  @Test
  void messengerHumanAgentTagExtendsToExactlySevenDays() {
    Decision day2 = at(Channel.MESSENGER, FREE_FORM, Duration.ofDays(2));
    assertFalse(day2.allowed());
    assertEquals(Fallback.HUMAN_AGENT_TAG, day2.fallback());

    assertTrue(at(Channel.MESSENGER, HUMAN_AGENT_TAG, Duration.ofDays(7)).allowed());
    Decision past = at(Channel.MESSENGER, HUMAN_AGENT_TAG, Duration.ofDays(7).plus(MS));
    assertFalse(past.allowed());
    assertEquals(LAST.plus(Duration.ofDays(7)), past.closedAt());
    assertEquals(
        Fallback.OTHER_CHANNEL, at(Channel.INSTAGRAM, FREE_FORM, Duration.ofDays(8)).fallback());
  }

  @Test
  void lineUsesTheReplyTokenForAMinuteThenPushesAnyTime() {
    Decision token = at(Channel.LINE, FREE_FORM, Duration.ofMinutes(1));
    assertTrue(token.allowed());
    assertEquals(Fallback.NONE, token.fallback());
    Decision push = at(Channel.LINE, FREE_FORM, Duration.ofMinutes(1).plus(MS));
    assertTrue(push.allowed());
    assertEquals(Fallback.PUSH, push.fallback());
  }

  @ParameterizedTest
  @EnumSource(
      value = Channel.class,
      names = {"TELEGRAM", "VIBER", "SMS", "EMAIL"})
  void channelsWithoutAWindowAllowFreeFormAnyTime(Channel ch) {
    Decision d = at(ch, FREE_FORM, Duration.ofDays(365));
    assertTrue(d.allowed());
    assertNull(d.freeFormUntil());
  }

  @Test
  void smsHonoursStopAndWebChatNeedsALiveSession() {
    Instant now = LAST.plusSeconds(5);
    assertEquals(
        Reason.OPTED_OUT,
        ChannelWindows.decide(Channel.SMS, FREE_FORM, new Context(LAST, true, true), now).reason());
    Decision web =
        ChannelWindows.decide(Channel.WEBCHAT, FREE_FORM, new Context(LAST, false, false), now);
    assertFalse(web.allowed());
    assertEquals(Fallback.OTHER_CHANNEL, web.fallback());
  }

  @Test
  void noCustomerMessageYetMeansNoFreeForm() {
    Decision d =
        ChannelWindows.decide(Channel.WHATSAPP, FREE_FORM, Context.lastInbound(null), LAST);
    assertEquals(Reason.NO_CUSTOMER_MESSAGE, d.reason());
  }
}

package io.omnirouter.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.omnirouter.connectors.line.LineSender;
import io.omnirouter.connectors.meta.MessengerSender;
import io.omnirouter.connectors.outbound.HttpJson;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.connectors.spi.SendFailure;
import io.omnirouter.connectors.telegram.TelegramSender;
import io.omnirouter.connectors.twilio.TwilioSender;
import io.omnirouter.connectors.viber.ViberSender;
import io.omnirouter.connectors.whatsapp.WhatsAppSender;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.model.ProviderError;
import io.omnirouter.loadtest.sim.ProviderSimulator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each sender against the simulated provider API: request shape, auth, and error mapping. */
class SendersAgainstSimulatorTest {
  static ActorSystem<Void> system;
  static ProviderSimulator sim;
  static HttpJson http;

  @BeforeAll
  static void start() throws Exception {
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "senders",
            ConfigFactory.parseString("pekko.loglevel = WARNING")
                .withFallback(ConfigFactory.load()));
    sim = new ProviderSimulator(system, "tok", "bot-1");
    http = new HttpJson(system, 10_000);
  }

  @AfterAll
  static void stop() throws Exception {
    sim.close();
    system.terminate();
  }

  static AccountSettings account(String extra) {
    return new AccountSettings(
        "ws",
        "acct",
        ConfigFactory.parseString("api-base-url = \"" + sim.baseUrl() + "\"\n" + extra));
  }

  /** Meta's APIs are versioned: the base URL carries the version. */
  static AccountSettings graph(String extra) {
    return new AccountSettings(
        "ws",
        "acct",
        ConfigFactory.parseString("api-base-url = \"" + sim.baseUrl() + "/v21.0\"\n" + extra));
  }

  static OutboundRequest request(Channel ch, String to, String id) {
    return new OutboundRequest(
        "ws~c", id, ch, "acct", to, OutboundContent.text("hello " + id), 1, List.of(), null, null);
  }

  static String send(ChannelSender s, OutboundRequest r, AccountSettings a) throws Exception {
    return s.send(r, a).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static ProviderError failure(ChannelSender s, OutboundRequest r, AccountSettings a)
      throws Exception {
    try {
      send(s, r, a);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return assertInstanceOf(SendFailure.class, e.getCause()).error();
    }
  }

  @Test
  void whatsAppTemplateAndAResendWithTheSameIdIsNotSentTwice() throws Exception {
    var a = graph("access-token = tok, phone-number-id = \"106540352242922\"");
    var sender = new WhatsAppSender(http);
    var template =
        new OutboundRequest(
            "ws~c",
            "wa-t1",
            Channel.WHATSAPP,
            "acct",
            "4915112345678",
            OutboundContent.template("order_update", "de", List.of("42")),
            1,
            List.of(),
            null,
            null);
    String first = send(sender, template, a);
    assertEquals(
        first, send(sender, template.nextAttempt(), a), "same idempotency key, same provider id");
    var body = sim.sent().stream().filter(s -> "wa-t1".equals(s.idempotencyKey())).toList();
    assertEquals(1, body.size());
    assertEquals("order_update", body.get(0).body().path("template").path("name").asText());
    assertEquals(
        "42",
        body.get(0)
            .body()
            .path("template")
            .path("components")
            .path(0)
            .path("parameters")
            .path(0)
            .path("text")
            .asText());
    ProviderError bad =
        failure(
            sender,
            request(Channel.WHATSAPP, "49151", "wa-x"),
            graph("access-token = wrong, phone-number-id = \"1\""));
    assertFalse(bad.retryable(), "a 4xx other than 429 is not retried");
  }

  @Test
  void messengerWindowErrorMapsToWindowClosed() throws Exception {
    var a = graph("page-access-token = tok");
    var sender = new MessengerSender(http, Channel.MESSENGER);
    assertTrue(
        send(sender, request(Channel.MESSENGER, "1254459154682919", "m1"), a).startsWith("m_"));
    sim.failNext(ProviderSimulator.Failure.WINDOW_CLOSED, 1);
    assertEquals(
        ProviderError.Outcome.WINDOW_CLOSED,
        failure(sender, request(Channel.MESSENGER, "1254459154682919", "m2"), a).outcome());
    sim.failNext(ProviderSimulator.Failure.RATE_LIMIT, 1);
    assertTrue(
        failure(sender, request(Channel.MESSENGER, "1254459154682919", "m3"), a).retryable());
  }

  @Test
  void lineRetryKeyMakesAResendANoOp() throws Exception {
    var a = account("channel-access-token = tok");
    var sender = new LineSender(http);
    send(sender, request(Channel.LINE, "U4af4980629", "l1"), a);
    send(sender, request(Channel.LINE, "U4af4980629", "l1").nextAttempt(), a);
    assertEquals(
        1,
        sim.sent().stream()
            .filter(s -> s.provider().equals("line") && s.text().equals("hello l1"))
            .count());
  }

  @Test
  void viberTwilioTelegram() throws Exception {
    String viberToken =
        send(
            new ViberSender(http),
            request(Channel.VIBER, "01234567890A=", "v1"),
            account("auth-token = tok"));
    assertTrue(Long.parseLong(viberToken) > (1L << 53), "Viber's 64-bit token is kept exact");
    sim.failNext(ProviderSimulator.Failure.WINDOW_CLOSED, 1);
    assertEquals(
        ProviderError.Outcome.RECIPIENT_UNREACHABLE,
        failure(
                new ViberSender(http),
                request(Channel.VIBER, "01234567890A=", "v2"),
                account("auth-token = tok"))
            .outcome());

    var twilio = account("account-sid = AC1, auth-token = tok, from-number = \"+15005550006\"");
    assertTrue(
        send(new TwilioSender(http), request(Channel.SMS, "+4915112345678", "s1"), twilio)
            .startsWith("SM"));
    sim.failNext(ProviderSimulator.Failure.SERVER_ERROR, 1);
    assertTrue(
        failure(new TwilioSender(http), request(Channel.SMS, "+4915112345678", "s2"), twilio)
            .retryable());

    assertEquals(
        "1111111:" + (1000 + sim.sent().size()),
        send(
            new TelegramSender(http),
            request(Channel.TELEGRAM, "1111111", "t1"),
            account("bot-token = bot-1")));
  }

  @Test
  void lineUsesAFreshReplyTokenAndPushesOnceItHasExpired() throws Exception {
    var a = account("channel-access-token = tok");
    var sender = new LineSender(http);
    var fresh =
        new OutboundRequest(
            "ws~c",
            "lr1",
            Channel.LINE,
            "acct",
            "U4af4980629",
            OutboundContent.text("via reply"),
            1,
            List.of(),
            null,
            "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA");
    send(sender, fresh, a);
    assertTrue(
        sim.sent().stream()
            .anyMatch(s -> s.provider().equals("line-reply") && s.text().equals("via reply")));
    var expired =
        new OutboundRequest(
            "ws~c",
            "lr2",
            Channel.LINE,
            "acct",
            "U4af4980629",
            OutboundContent.text("via push"),
            1,
            List.of(),
            null,
            "expired-token");
    send(sender, expired, a);
    assertTrue(
        sim.sent().stream()
            .anyMatch(s -> s.provider().equals("line") && s.text().equals("via push")),
        "an expired reply token falls back to push");
  }

  @Test
  void interactiveButtonsAndListsOnWhatsAppAndTelegram() throws Exception {
    var buttons =
        OutboundContent.interactive(
            "Pick one",
            List.of(
                new OutboundContent.Button("yes", "Yes"), new OutboundContent.Button("no", "No")));
    var r =
        new OutboundRequest(
            "ws~c",
            "wa-i1",
            Channel.WHATSAPP,
            "acct",
            "4915112345678",
            buttons,
            1,
            List.of(),
            null,
            null);
    send(
        new WhatsAppSender(http),
        r,
        graph("access-token = tok, phone-number-id = \"106540352242922\""));
    var sentBody =
        sim.sent().stream()
            .filter(s -> "wa-i1".equals(s.idempotencyKey()))
            .findFirst()
            .orElseThrow()
            .body();
    assertEquals("button", sentBody.path("interactive").path("type").asText());
    assertEquals(
        "yes",
        sentBody
            .path("interactive")
            .path("action")
            .path("buttons")
            .path(0)
            .path("reply")
            .path("id")
            .asText());

    var many =
        OutboundContent.interactive(
            "Which size?",
            java.util.stream.IntStream.range(0, 5)
                .mapToObj(i -> new OutboundContent.Button("s" + i, "Size " + i))
                .toList());
    send(
        new WhatsAppSender(http),
        new OutboundRequest(
            "ws~c",
            "wa-i2",
            Channel.WHATSAPP,
            "acct",
            "4915112345678",
            many,
            1,
            List.of(),
            null,
            null),
        graph("access-token = tok, phone-number-id = \"106540352242922\""));
    var list =
        sim.sent().stream()
            .filter(s -> "wa-i2".equals(s.idempotencyKey()))
            .findFirst()
            .orElseThrow()
            .body();
    assertEquals("list", list.path("interactive").path("type").asText());
    assertEquals(
        5, list.path("interactive").path("action").path("sections").path(0).path("rows").size());

    send(
        new TelegramSender(http),
        new OutboundRequest(
            "ws~c",
            "tg-i1",
            Channel.TELEGRAM,
            "acct",
            "1111111",
            buttons,
            1,
            List.of(),
            null,
            null),
        account("bot-token = bot-1"));
    var tg =
        sim.sent().stream()
            .filter(s -> s.provider().equals("telegram") && "Pick one".equals(s.text()))
            .findFirst()
            .orElseThrow()
            .body();
    assertEquals(
        "yes",
        tg.path("reply_markup")
            .path("inline_keyboard")
            .path(0)
            .path(0)
            .path("callback_data")
            .asText());
  }

  @Test
  void weChatFetchesItsAccessTokenWithTheAppSecret() throws Exception {
    var sender =
        new io.omnirouter.connectors.wechat.WeChatSender(http, java.time.Clock.systemUTC());
    var r =
        new OutboundRequest(
            "ws~c",
            "wx1",
            Channel.WECHAT,
            "acct",
            "oUser",
            OutboundContent.text("您好"),
            1,
            List.of(),
            null,
            null);
    assertEquals("wx:wx1", send(sender, r, account("app-id = wxapp, app-secret = wx-secret")));
    assertTrue(
        sim.sent().stream().anyMatch(s -> s.provider().equals("wechat") && "您好".equals(s.text())));
    ProviderError wrongSecret =
        failure(
            sender,
            r,
            new AccountSettings(
                "ws",
                "other",
                ConfigFactory.parseString(
                    "api-base-url = \""
                        + sim.baseUrl()
                        + "\", app-id = wxapp, app-secret = nope")));
    assertFalse(wrongSecret.retryable());
  }
}

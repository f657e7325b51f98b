package io.omnirouter.loadtest.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.Connectors;
import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelConnector;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratorTest {
  private static final Generator.Options OPTIONS = Generator.Options.defaults().with(60, 50, 2000);

  @Test
  void theSameOptionsGiveTheSameCaptureAndAnotherSeedAnother() {
    List<CaptureLine> a = Generator.generate(OPTIONS, 1_790_000_000_000L);
    assertTrue(a.equals(Generator.generate(OPTIONS, 1_790_000_000_000L)), "the same again");
    var other = variant(OPTIONS, 43, OPTIONS.firstContact());
    List<CaptureLine> b = Generator.generate(other, 1_790_000_000_000L);
    assertFalse(a.equals(b), "another seed, another capture");
    java.util.Set<String> ids = new java.util.HashSet<>();
    a.stream().filter(CaptureLine::carriesMessage).forEach(l -> ids.add(l.id()));
    assertTrue(
        b.stream().filter(CaptureLine::carriesMessage).noneMatch(l -> ids.contains(l.id())),
        "no provider id of one capture appears in another");
  }

  @Test
  void theMixRateZipfRedeliveriesStatusesAndBurstsAreThere() {
    List<CaptureLine> lines = Generator.generate(OPTIONS);
    Map<String, Integer> channels = new HashMap<>();
    Map<String, Integer> kinds = new HashMap<>();
    Map<String, Integer> perContact = new HashMap<>();
    Map<String, CaptureLine> messages = new HashMap<>();
    long[] perSecond = new long[60];
    long previous = 0;
    for (CaptureLine l : lines) {
      assertTrue(l.t() >= previous && l.t() < 60_000, "in time order within the duration");
      previous = l.t();
      kinds.merge(l.kind(), 1, Integer::sum);
      if (CaptureLine.MESSAGE.equals(l.kind())) {
        channels.merge(l.channel(), 1, Integer::sum);
        perContact.merge(l.contact(), 1, Integer::sum);
        messages.put(l.id(), l);
        perSecond[(int) (l.t() / 1000)]++;
      }
    }
    int total = kinds.get(CaptureLine.MESSAGE);
    // 60 s at 50/s plus bursts (3 s of every 30 at 3×): about 3,600
    assertTrue(total > 3300 && total < 3900, "messages: " + total);
    double wa = channels.get("whatsapp") / (double) total;
    assertTrue(wa > 0.3 && wa < 0.6, "WhatsApp share " + wa);
    assertTrue(channels.keySet().containsAll(Generator.DEFAULT_MIX.keySet()), channels.toString());
    // Zipf: the busiest contact writes far more than the median one, but like a person: at most one
    // message a second (without the gap the head of this spread wrote ~7 a second)
    int top = perContact.values().stream().mapToInt(i -> i).max().getAsInt();
    assertTrue(top > 40 && top <= 60 && perContact.size() > 300, "top " + top);
    Map<String, Long> last = new HashMap<>();
    for (CaptureLine l : lines) {
      if (CaptureLine.MESSAGE.equals(l.kind())) {
        Long before = last.put(l.contact(), l.t());
        assertTrue(before == null || l.t() - before >= 1000, l.contact() + " wrote twice in 1 s");
      }
    }
    // redeliveries repeat an earlier message's id (and its body, LINE marks them), later
    int redeliveries = 0;
    for (CaptureLine l : lines) {
      if (CaptureLine.REDELIVERY.equals(l.kind())) {
        redeliveries++;
        CaptureLine first = messages.get(l.id());
        assertTrue(first != null && first.t() < l.t(), l.id());
        assertEquals(first.contact(), l.contact());
      }
    }
    assertTrue(redeliveries > total * 0.03 && redeliveries < total * 0.07, "" + redeliveries);
    assertTrue(kinds.get(CaptureLine.STATUS) > total * 0.2, kinds.toString());
    // a burst second (27–29 of every 30) carries about 3× a quiet one
    long burst = perSecond[27] + perSecond[28] + perSecond[29];
    long quiet = perSecond[10] + perSecond[11] + perSecond[12];
    assertTrue(burst > 2 * quiet, burst + " vs " + quiet);
  }

  @Test
  void messagesComeInSeveralLanguagesAndSizes() throws Exception {
    Set<Character.UnicodeScript> scripts = new HashSet<>();
    int longest = 0;
    int shortest = Integer.MAX_VALUE;
    for (CaptureLine l : Generator.generate(OPTIONS)) {
      if (CaptureLine.MESSAGE.equals(l.kind()) && "telegram".equals(l.channel())) {
        String text =
            io.omnirouter.connectors.support.Json.MAPPER
                .readTree(l.body())
                .path("message")
                .path("text")
                .asText();
        text.codePoints()
            .filter(Character::isLetter)
            .forEach(c -> scripts.add(Character.UnicodeScript.of(c)));
        longest = Math.max(longest, text.length());
        assertEquals(null, io.omnirouter.core.model.Text.repaired(text), "no half emoji");
        shortest = Math.min(shortest, text.length());
      }
    }
    assertTrue(scripts.size() >= 6, "scripts: " + scripts);
    assertTrue(shortest < 40 && longest > 1000, shortest + ".." + longest);
  }

  @Test
  void everyGeneratedRequestSignedForItsTargetIsAcceptedByItsConnectorWithItsId() throws Exception {
    Map<String, String> settings =
        Map.of(
            "demo-wa", "app-secret = demo-app-secret",
            "demo-page", "app-secret = demo-app-secret",
            "demo-bot", "secret-token = demo-secret-token",
            "demo-line", "channel-secret = demo-channel-secret",
            "demo-viber", "auth-token = demo-auth-token",
            "demo-sms", "auth-token = demo-auth-token");
    Signer signer = Signer.parse(null);
    Set<String> seen = new HashSet<>();
    for (CaptureLine l : Generator.generate(OPTIONS.with(5, 40, 100))) {
      String url = "http://127.0.0.1:8080" + l.path();
      Map<String, String> headers = new HashMap<>();
      signer.headers(l, url).forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
      byte[] body = l.body().getBytes(StandardCharsets.UTF_8);
      WebhookRequest request =
          new WebhookRequest(url, headers, Map.of(), headers.get("content-type"), body);
      AccountSettings account =
          new AccountSettings(
              "demo",
              l.account(),
              com.typesafe.config.ConfigFactory.parseString(settings.get(l.account())));
      ChannelConnector connector = connector(l.channel());
      connector.verify(request, account);
      List<Inbound> in = connector.parse(request, account, Instant.now());
      if (l.carriesMessage()) {
        Inbound.Message m = (Inbound.Message) in.get(0);
        assertEquals(l.id(), m.message().providerMessageId(), l.body());
        assertEquals(
            l.contact(),
            io.omnirouter.core.contact.IdentityKey.of(
                Channel.fromKey(l.channel()), l.account(), m.message().senderId()));
      } else {
        assertTrue(in.get(0) instanceof Inbound.Status, l.body());
      }
      seen.add(l.channel());
    }
    assertEquals(Generator.DEFAULT_MIX.keySet(), seen);
    // a wrong secret is refused, so the check above means something
    Signer wrong = Signer.parse("demo-bot=nope");
    CaptureLine tg =
        Generator.generate(OPTIONS.with(5, 40, 100)).stream()
            .filter(l -> l.channel().equals("telegram"))
            .findFirst()
            .orElseThrow();
    Map<String, String> headers = new HashMap<>();
    wrong.headers(tg, "x").forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
    assertThrows(
        io.omnirouter.connectors.spi.WebhookException.class,
        () ->
            connector("telegram")
                .verify(
                    new WebhookRequest("x", headers, Map.of(), "application/json", new byte[0]),
                    new AccountSettings(
                        "demo",
                        "demo-bot",
                        com.typesafe.config.ConfigFactory.parseString(
                            "secret-token = demo-secret-token"))));
  }

  @Test
  void anUnknownChannelInTheMixIsRefused() {
    var o = OPTIONS;
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Generator.Options(
                1, 10, 10, 10, 1, 0, Map.of("fax", 1.0), o.accounts(), 0, 0, 0, 0, 1, 0));
  }

  @Test
  void capturesWhoseContactRangesDoNotOverlapShareNoCustomer() {
    var o = OPTIONS;
    var later = variant(o, o.seed(), o.contacts());
    java.util.Set<String> first = new java.util.HashSet<>();
    Generator.generate(o, 1_790_000_000_000L).stream()
        .filter(CaptureLine::carriesMessage)
        .forEach(l -> first.add(l.contact()));
    java.util.Set<String> second = new java.util.HashSet<>();
    Generator.generate(later, 1_790_000_000_000L).stream()
        .filter(CaptureLine::carriesMessage)
        .forEach(l -> second.add(l.contact()));
    assertTrue(first.size() > 100 && second.size() > 100, first.size() + " / " + second.size());
    second.retainAll(first);
    assertTrue(second.isEmpty(), "customers in both: " + second);
  }

  /** {@code o} with another seed and first contact. */
  private static Generator.Options variant(Generator.Options o, long seed, int firstContact) {
    return new Generator.Options(
        seed,
        o.durationSeconds(),
        o.rate(),
        o.contacts(),
        o.zipf(),
        o.contactGapMillis(),
        o.mix(),
        o.accounts(),
        o.redeliveries(),
        o.statuses(),
        o.burstEvery(),
        o.burstSeconds(),
        o.burstFactor(),
        firstContact);
  }

  private static ChannelConnector connector(String channel) {
    var workspaces =
        io.omnirouter.core.workspace.Workspaces.fromConfig(
            com.typesafe.config.ConfigFactory.parseString("omnirouter.workspaces {}"));
    return new Connectors(workspaces, java.time.Clock.systemUTC())
        .connector(Channel.fromKey(channel))
        .orElseThrow();
  }
}

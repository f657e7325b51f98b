package io.omnirouter.loadtest.capture;

import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.core.model.Channel;
import io.omnirouter.loadtest.sim.ProviderWebhooks;
import io.omnirouter.loadtest.sim.WhatsAppWebhooks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A synthetic capture shaped like a support inbox's provider traffic: Poisson arrivals at a mean
 * rate with periodic bursts, senders drawn from a Zipf distribution over the contacts (a few write
 * a lot), each contact on one channel by the mix (some WhatsApp contacts also text by SMS from the
 * same number), messages of mixed length in several languages, providers' redeliveries of a message
 * seconds later, and WhatsApp status webhooks. The same options and seed give the same capture.
 */
public final class Generator {

  /**
   * @param rate mean new messages per second (outside bursts)
   * @param zipf the exponent of the spread over contacts (0: uniform)
   * @param contactGapMillis the least time between two messages of one contact (a person types; 0:
   *     none) — without it a Zipf head sends tens of messages a second, which no customer does
   * @param mix channel → weight
   * @param accounts channel → account the webhooks are posted for
   * @param redeliveries share of messages a provider posts again (same id) 1–20 s later
   * @param statuses status webhooks per message (WhatsApp "sent/delivered/read" of our replies)
   * @param burstEvery seconds between bursts (0: none); each lasts {@code burstSeconds} at {@code
   *     burstFactor} × rate
   * @param firstContact the number of the first contact: captures whose ranges do not overlap have
   *     no customer in common (a warm-up that leaves the measured run's customers new)
   */
  public record Options(
      long seed,
      int durationSeconds,
      double rate,
      int contacts,
      double zipf,
      int contactGapMillis,
      Map<String, Double> mix,
      Map<String, String> accounts,
      double redeliveries,
      double statuses,
      int burstEvery,
      int burstSeconds,
      double burstFactor,
      int firstContact) {

    public Options {
      if (durationSeconds <= 0 || rate <= 0 || contacts <= 0) {
        throw new IllegalArgumentException("duration, rate and contacts must be positive");
      }
      if (firstContact < 0 || firstContact > Integer.MAX_VALUE - contacts) {
        throw new IllegalArgumentException("first contact out of range: " + firstContact);
      }
      for (String channel : mix.keySet()) {
        if (!SUPPORTED.contains(channel)) {
          throw new IllegalArgumentException(
              "generate supports the channels " + SUPPORTED + ", not " + channel);
        }
      }
    }

    /** The demo workspace's mix: mostly WhatsApp, then Messenger, SMS, Telegram, LINE, Viber. */
    public static Options defaults() {
      return new Options(
          42, 60, 100, 10_000, 1.1, 1000, DEFAULT_MIX, DEMO_ACCOUNTS, 0.05, 0.3, 30, 3, 3, 0);
    }

    public Options with(int durationSeconds, double rate, int contacts) {
      return new Options(
          seed,
          durationSeconds,
          rate,
          contacts,
          zipf,
          contactGapMillis,
          mix,
          accounts,
          redeliveries,
          statuses,
          burstEvery,
          burstSeconds,
          burstFactor,
          firstContact);
    }
  }

  public static final List<String> SUPPORTED =
      List.of("whatsapp", "messenger", "instagram", "telegram", "line", "viber", "sms");

  public static final Map<String, Double> DEFAULT_MIX = orderedMix();

  /** The accounts of the demo workspace (conf/demo-workspace.conf). */
  public static final Map<String, String> DEMO_ACCOUNTS =
      Map.of(
          "whatsapp", "demo-wa",
          "messenger", "demo-page",
          "instagram", "demo-page",
          "telegram", "demo-bot",
          "line", "demo-line",
          "viber", "demo-viber",
          "sms", "demo-sms");

  private static Map<String, Double> orderedMix() {
    Map<String, Double> mix = new LinkedHashMap<>();
    mix.put("whatsapp", 50.0);
    mix.put("messenger", 15.0);
    mix.put("sms", 10.0);
    mix.put("telegram", 10.0);
    mix.put("line", 10.0);
    mix.put("viber", 5.0);
    return mix;
  }

  /** Phrases per language; messages are built from them, so lengths and scripts vary. */
  private static final String[][] PHRASES = {
    {"Hi, where is my order?", "It was supposed to arrive yesterday.", "Can I change the address?"},
    {"Hallo, wo bleibt meine Bestellung?", "Die Rechnung stimmt nicht.", "Bitte um Rückruf."},
    {"Hola, ¿dónde está mi pedido?", "Quiero devolver el artículo.", "¿Tienen talla M?"},
    {"Olá, meu pedido ainda não chegou.", "Preciso de uma segunda via.", "Obrigado!"},
    {"你好，我的订单到哪里了？", "我想退货。", "请尽快回复，谢谢。"},
    {"مرحبا، أين طلبي؟", "أريد استرداد المبلغ.", "شكرا لكم"},
    {"नमस्ते, मेरा ऑर्डर कहाँ है?", "मुझे रिफंड चाहिए।", "धन्यवाद"},
    {"Здравствуйте, где мой заказ?", "Хочу вернуть товар.", "Спасибо!"},
    {"こんにちは、注文はどこですか？", "返品したいです。", "よろしくお願いします。"},
    {"Halo, pesanan saya di mana?", "Saya mau tukar ukuran.", "Terima kasih 🙏"},
  };

  private static final String[] NAMES = {
    "Kim", "Anna", "José", "Ana", "王芳", "محمد", "Priya", "Иван", "Yuki", "Budi"
  };

  private final Options o;
  private final Random random;
  private final double[] zipfCdf;
  private final String[] mixChannels;
  private final double[] mixCdf;
  private final long epochMillis;
  private long sequence;

  private Generator(Options o, long epochMillis) {
    this.o = o;
    this.epochMillis = epochMillis;
    // provider ids are unique across captures, as providers' are: each seed numbers its messages
    // from its own base (Telegram's message_id stays a 32-bit int); a capture repeating another's
    // ids made a "duplicate" in verification once a hot conversation's dedup window had moved on
    this.sequence = Math.floorMod(o.seed(), 200) * 10_000_000L;
    this.random = new Random(o.seed());
    this.zipfCdf = zipfCdf(o.contacts(), o.zipf());
    this.mixChannels = o.mix().keySet().toArray(String[]::new);
    this.mixCdf = cdf(o.mix().values().stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** A capture whose provider timestamps start now (so reply windows are open when replayed). */
  public static List<CaptureLine> generate(Options o) {
    return generate(o, System.currentTimeMillis() / 1000 * 1000);
  }

  /**
   * A capture whose provider timestamps start at {@code epochMillis}: the same options, seed and
   * epoch give the same capture.
   */
  public static List<CaptureLine> generate(Options o, long epochMillis) {
    return new Generator(o, epochMillis).lines();
  }

  private List<CaptureLine> lines() {
    List<CaptureLine> out = new ArrayList<>();
    double t = 0;
    long end = o.durationSeconds() * 1000L;
    long[] lastAt = new long[o.contacts()];
    Arrays.fill(lastAt, Long.MIN_VALUE / 2);
    while (true) {
      t += -Math.log(1 - random.nextDouble()) / rateAt(t) * 1000; // exponential inter-arrival
      long at = (long) t;
      if (at >= end) {
        break;
      }
      int drawn = sender(at, lastAt);
      lastAt[drawn] = at;
      int contact = o.firstContact() + drawn;
      CaptureLine message = message(contact, at);
      out.add(message);
      if (random.nextDouble() < o.redeliveries()) {
        long again = at + 1000 + random.nextInt(19_000);
        if (again < end) {
          out.add(redelivery(message, again));
        }
      }
      double statuses = o.statuses();
      while (statuses > 0 && random.nextDouble() < statuses) {
        out.add(status(contact, at + random.nextInt(2000)));
        statuses -= 1;
      }
    }
    out.removeIf(l -> l.t() >= end);
    out.sort(Comparator.comparingLong(CaptureLine::t));
    return out;
  }

  private double rateAt(double millis) {
    if (o.burstEvery() <= 0) {
      return o.rate();
    }
    long second = (long) (millis / 1000);
    boolean burst = second % o.burstEvery() >= o.burstEvery() - o.burstSeconds();
    return burst ? o.rate() * o.burstFactor() : o.rate();
  }

  /** The contact's channel: fixed per contact by the mix; a tenth of WhatsApp users also SMS. */
  private String channelOf(int contact) {
    // SplittableRandom mixes neighbouring seeds well (java.util.Random's first draws do not)
    double own = new java.util.SplittableRandom(o.seed() * 1_000_003L + contact).nextDouble();
    String channel = mixChannels[pick(mixCdf, own)];
    if ("whatsapp".equals(channel) && o.mix().containsKey("sms") && random.nextDouble() < 0.1) {
      return "sms";
    }
    return channel;
  }

  private CaptureLine message(int contact, long at) {
    String channel = channelOf(contact);
    String account = o.accounts().getOrDefault(channel, "demo-" + channel);
    String text = text(contact);
    String name = NAMES[contact % NAMES.length] + " " + contact;
    long now = epochMillis + at;
    sequence++;
    String id;
    String sender;
    String body;
    String contentType = "application/json";
    switch (channel) {
      case "whatsapp" -> {
        sender = phone(contact);
        id = "wamid." + uuid();
        body = WhatsAppWebhooks.message("106540352242922", sender, name, id, now / 1000, text);
      }
      case "messenger", "instagram" -> {
        sender = Long.toString(7_000_000_000_000_000L + contact);
        id = "m_" + uuid().replace("-", "");
        body =
            ProviderWebhooks.messenger(
                "messenger".equals(channel) ? "page" : "instagram",
                "102290129340398",
                sender,
                id,
                now,
                text);
      }
      case "telegram" -> {
        long user = 700_000_000L + contact;
        sender = Long.toString(user);
        id = user + ":" + sequence;
        body = ProviderWebhooks.telegram(sequence, user, name, sequence, now / 1000, text);
      }
      case "line" -> {
        sender = "U" + String.format(Locale.ROOT, "%032x", 0xA11CEL * 1_000_003L + contact);
        id = Long.toString(400_000_000_000_000_000L + sequence);
        body =
            ProviderWebhooks.line(
                "Udeadbeefdeadbeefdeadbeefdeadbeef",
                sender,
                id,
                HexFormat.of().formatHex(bytes(16)),
                "01" + HexFormat.of().formatHex(bytes(12)).toUpperCase(Locale.ROOT),
                false,
                now,
                text);
      }
      case "viber" -> {
        sender = viberId(contact);
        long token = 5_000_000_000_000_000_000L + sequence; // beyond 2^53, as Viber's are
        id = Long.toString(token);
        body = ProviderWebhooks.viber(sender, name, token, now, text);
      }
      case "sms" -> {
        sender = "+" + phone(contact);
        id = "SM" + HexFormat.of().formatHex(bytes(16));
        body =
            ProviderWebhooks.form(
                ProviderWebhooks.twilioSms(
                    "AC" + "0".repeat(32), id, sender, "+15005550006", truncate(text, 1600)));
        contentType = "application/x-www-form-urlencoded";
      }
      default -> throw new IllegalArgumentException(channel);
    }
    return new CaptureLine(
        at,
        channel,
        account,
        CaptureLine.MESSAGE,
        id,
        IdentityKey.of(Channel.fromKey(channel), account, sender),
        Map.of("Content-Type", contentType),
        body);
  }

  /** The same request again; LINE marks its redeliveries, the others send identical bodies. */
  private static CaptureLine redelivery(CaptureLine m, long at) {
    String body =
        "line".equals(m.channel())
            ? m.body().replace("\"isRedelivery\":false", "\"isRedelivery\":true")
            : m.body();
    return new CaptureLine(
        at,
        m.channel(),
        m.account(),
        CaptureLine.REDELIVERY,
        m.id(),
        m.contact(),
        m.headers(),
        body);
  }

  private CaptureLine status(int contact, long at) {
    String[] states = {"sent", "delivered", "read"};
    String account = o.accounts().getOrDefault("whatsapp", "demo-wa");
    return new CaptureLine(
        at,
        "whatsapp",
        account,
        CaptureLine.STATUS,
        null,
        null,
        Map.of("Content-Type", "application/json"),
        WhatsAppWebhooks.status(
            "106540352242922",
            phone(contact),
            "wamid." + uuid(),
            states[random.nextInt(states.length)],
            null,
            (epochMillis + at) / 1000));
  }

  /** Mostly short messages, some paragraphs, a few long ones (up to ~4,000 characters). */
  private String text(int contact) {
    String[] phrases = PHRASES[(contact + random.nextInt(3) / 2) % PHRASES.length];
    double size = random.nextDouble();
    int sentences = size < 0.7 ? 1 : size < 0.95 ? 2 + random.nextInt(8) : 40 + random.nextInt(60);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < sentences; i++) {
      text.append(i == 0 ? "" : " ").append(phrases[random.nextInt(phrases.length)]);
    }
    return truncate(text.toString(), 4096);
  }

  /** At most {@code max} chars, never half of a surrogate pair (an emoji). */
  private static String truncate(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    return s.substring(0, Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max);
  }

  private static String phone(int contact) {
    return Long.toString(4_915_000_000_000L + contact);
  }

  private String uuid() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /**
   * A Zipf-drawn contact that has not written within the gap; when the head is busy, another draw,
   * then any free contact; if there is none (too few contacts for the rate) the last one drawn.
   */
  private int sender(long at, long[] lastAt) {
    int contact = zipf();
    for (int tries = 0; at - lastAt[contact] < o.contactGapMillis() && tries < 50; tries++) {
      contact = tries < 10 ? zipf() : random.nextInt(o.contacts());
    }
    return contact;
  }

  private int zipf() {
    return pick(zipfCdf, random.nextDouble());
  }

  static double[] zipfCdf(int n, double exponent) {
    double[] weights = new double[n];
    for (int k = 0; k < n; k++) {
      weights[k] = 1 / Math.pow(k + 1, exponent);
    }
    return cdf(weights);
  }

  private static double[] cdf(double[] weights) {
    double[] cdf = new double[weights.length];
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      cdf[i] = sum;
    }
    for (int i = 0; i < cdf.length; i++) {
      cdf[i] /= sum;
    }
    return cdf;
  }

  private static int pick(double[] cdf, double u) {
    int i = Arrays.binarySearch(cdf, u);
    return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
  }

  /** Viber user ids look like base64 ("01234567890A="). */
  private static String viberId(int contact) {
    return java.util.Base64.getEncoder()
        .encodeToString(
            ("viber-user-" + contact).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}

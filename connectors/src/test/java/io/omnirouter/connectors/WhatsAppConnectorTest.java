package io.omnirouter.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.connectors.whatsapp.WhatsAppConnector;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.MessageContent;
import io.omnirouter.core.model.ProviderError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Payloads shaped as the WhatsApp Cloud API documents them. */
class WhatsAppConnectorTest {
  final WhatsAppConnector wa = new WhatsAppConnector();
  final AccountSettings account = Requests.account("app-secret = s3cret, verify-token = vt");
  final Instant now = Instant.parse("2026-11-22T10:00:00Z");

  static String envelope(String value) {
    return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\",\"changes\":[{\"value\":"
        + value
        + ",\"field\":\"messages\"}]}]}";
  }

  static String messages(String contactsAndMessages) {
    return envelope(
        "{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550783881\",\"phone_number_id\":\"106540352242922\"},"
            + contactsAndMessages
            + "}");
  }

  WebhookRequest signed(String body) {
    return Requests.post(
        body,
        "application/json",
        Map.of(
            "X-Hub-Signature-256",
            "sha256=" + Signatures.hmacSha256Hex("s3cret", body.getBytes(StandardCharsets.UTF_8))));
  }

  List<Inbound> parse(String body) throws WebhookException {
    WebhookRequest req = signed(body);
    wa.verify(req, account);
    return wa.parse(req, account, now);
  }

  MessageContent single(String message) throws WebhookException {
    List<Inbound> in =
        parse(
            messages(
                "\"contacts\":[{\"profile\":{\"name\":\"Sheena Nelson\"},\"wa_id\":\"16505551234\"}],\"messages\":["
                    + message
                    + "]"));
    return ((Inbound.Message) in.get(0)).message().content();
  }

  @Test
  void halfASurrogatePairBecomesAReplacementCharacterEverywhere() throws Exception {
    // JSON may escape a lone surrogate; no UTF-8 encoder (the journal's, Cassandra's) takes one
    List<Inbound> in =
        parse(
            messages(
                "\"contacts\":[{\"profile\":{\"name\":\"Kim \\ud83d\"},\"wa_id\":\"16505551234\"}],"
                    + "\"messages\":[{\"from\":\"16505551234\",\"id\":\"wamid.X\\udc00\","
                    + "\"timestamp\":\"1749416383\",\"type\":\"text\",\"text\":{\"body\":\"cut \\ud83d|\\ud83d\\ude00|\\ude00\"}}]"));
    Inbound.Message m = assertInstanceOf(Inbound.Message.class, in.get(0));
    assertEquals("cut \uFFFD|\uD83D\uDE00|\uFFFD", m.message().text());
    assertEquals("wamid.X\uFFFD", m.message().providerMessageId());
    assertEquals("Kim \uFFFD", m.displayName());
    assertEquals(null, io.omnirouter.core.model.Text.repaired("ok \uD83D\uDE00"));
  }

  @Test
  void textMessageWithProfileNameAndPhoneHint() throws Exception {
    List<Inbound> in =
        parse(
            messages(
                "\"contacts\":[{\"profile\":{\"name\":\"Sheena Nelson\"},\"wa_id\":\"16505551234\"}],"
                    + "\"messages\":[{\"from\":\"16505551234\",\"id\":\"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=\","
                    + "\"timestamp\":\"1749416383\",\"type\":\"text\",\"text\":{\"body\":\"Does it come in another color? \\u00e9\\ud83d\\ude00\"}}]"));
    Inbound.Message m = assertInstanceOf(Inbound.Message.class, in.get(0));
    assertEquals(
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        m.message().providerMessageId());
    assertEquals(
        "Does it come in another color? é\uD83D\uDE00",
        m.message().text(),
        "JSON unicode escapes decoded");
    assertEquals(Instant.ofEpochSecond(1749416383), m.message().receivedAt());
    assertEquals("Sheena Nelson", m.displayName());
    assertEquals(List.of("phone:+16505551234"), m.hints());
  }

  @Test
  void everyDocumentedMessageType() throws Exception {
    String head = "{\"from\":\"16505551234\",\"id\":\"wamid.X\",\"timestamp\":\"1749416383\",";
    MessageContent image =
        single(
            head
                + "\"type\":\"image\",\"image\":{\"caption\":\"look\",\"mime_type\":\"image/jpeg\",\"sha256\":\"abc\",\"id\":\"1479537139650973\"}}");
    assertEquals(MessageContent.Type.IMAGE, image.type());
    assertEquals("1479537139650973", image.mediaId());
    assertEquals("look", image.text());
    MessageContent doc =
        single(
            head
                + "\"type\":\"document\",\"document\":{\"filename\":\"invoice.pdf\",\"mime_type\":\"application/pdf\",\"id\":\"7\"}}");
    assertEquals("invoice.pdf", doc.fileName());
    assertEquals(
        MessageContent.Type.AUDIO,
        single(
                head
                    + "\"type\":\"audio\",\"audio\":{\"mime_type\":\"audio/ogg; codecs=opus\",\"id\":\"8\",\"voice\":true}}")
            .type());
    assertEquals(
        MessageContent.Type.VIDEO,
        single(head + "\"type\":\"video\",\"video\":{\"mime_type\":\"video/mp4\",\"id\":\"9\"}}")
            .type());
    assertEquals(
        MessageContent.Type.STICKER,
        single(
                head
                    + "\"type\":\"sticker\",\"sticker\":{\"mime_type\":\"image/webp\",\"id\":\"10\",\"animated\":false}}")
            .type());
    MessageContent loc =
        single(
            head
                + "\"type\":\"location\",\"location\":{\"address\":\"1 Hacker Way\",\"latitude\":37.483307,\"longitude\":-122.148981,\"name\":\"Main Street Beach\"}}");
    assertEquals(37.483307, loc.latitude());
    assertEquals("Main Street Beach, 1 Hacker Way", loc.locationName());
    MessageContent button =
        single(
            head
                + "\"type\":\"interactive\",\"interactive\":{\"type\":\"button_reply\",\"button_reply\":{\"id\":\"yes-1\",\"title\":\"Yes\"}}}");
    assertEquals("yes-1", button.replyId());
    MessageContent list =
        single(
            head
                + "\"type\":\"interactive\",\"interactive\":{\"type\":\"list_reply\",\"list_reply\":{\"id\":\"row-2\",\"title\":\"Blue\",\"description\":\"d\"}}}");
    assertEquals("row-2", list.replyId());
    MessageContent quick =
        single(
            head
                + "\"type\":\"button\",\"button\":{\"payload\":\"STOP_PROMO\",\"text\":\"Stop promotions\"}}");
    assertEquals("STOP_PROMO", quick.replyId());
    MessageContent card =
        single(
            head
                + "\"type\":\"contacts\",\"contacts\":[{\"name\":{\"formatted_name\":\"Ann Lee\",\"first_name\":\"Ann\"},\"phones\":[{\"phone\":\"+1 650 555 1234\",\"type\":\"CELL\"}]}]}");
    assertEquals("Ann Lee +1 650 555 1234", card.text());
    assertEquals(
        MessageContent.Type.UNSUPPORTED,
        single(head + "\"type\":\"unsupported\",\"errors\":[{\"code\":131051}]}").type());
  }

  @Test
  void statusesIncludingTheWindowErrorInAFailedStatus() throws Exception {
    List<Inbound> in =
        parse(
            envelope(
                "{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"1\",\"phone_number_id\":\"2\"},\"statuses\":["
                    + "{\"id\":\"wamid.A\",\"status\":\"delivered\",\"timestamp\":\"1749416400\",\"recipient_id\":\"16505551234\"},"
                    + "{\"id\":\"wamid.B\",\"status\":\"failed\",\"timestamp\":\"1749416401\",\"recipient_id\":\"16505551234\","
                    + "\"errors\":[{\"code\":131047,\"title\":\"Re-engagement message\",\"message\":\"Re-engagement message\"}]}]}"));
    Inbound.Status delivered = assertInstanceOf(Inbound.Status.class, in.get(0));
    assertEquals(Inbound.DeliveryStatus.DELIVERED, delivered.status());
    Inbound.Status failed = assertInstanceOf(Inbound.Status.class, in.get(1));
    assertEquals(ProviderError.Outcome.WINDOW_CLOSED, failed.error().outcome());
    assertEquals("131047", failed.error().code());
  }

  @Test
  void hostileRequestsAreRefused() {
    String body =
        messages(
            "\"messages\":[{\"from\":\"1\",\"id\":\"w\",\"timestamp\":\"1\",\"type\":\"text\",\"text\":{\"body\":\"hi\"}}]");
    // missing, wrong, wrong prefix, body changed after signing
    assertEquals(401, status(Requests.post(body, "application/json", Map.of())));
    assertEquals(
        401,
        status(
            Requests.post(body, "application/json", Map.of("X-Hub-Signature-256", "sha256=00"))));
    String sig = Signatures.hmacSha256Hex("s3cret", body.getBytes(StandardCharsets.UTF_8));
    assertEquals(
        401,
        status(
            Requests.post(body, "application/json", Map.of("X-Hub-Signature-256", "sha1=" + sig))));
    assertEquals(
        401,
        status(
            Requests.post(
                body + " ", "application/json", Map.of("X-Hub-Signature-256", "sha256=" + sig))));
    // signed but malformed: truncated, wrong object, missing id
    assertEquals(400, status(signed(body.substring(0, body.length() - 5))));
    assertEquals(400, status(signed("{\"object\":\"page\",\"entry\":[]}")));
    assertEquals(
        400,
        status(
            signed(
                messages(
                    "\"messages\":[{\"from\":\"1\",\"timestamp\":\"1\",\"type\":\"text\"}]"))));
    assertEquals(400, status(signed("[1,2,3]")));
  }

  @Test
  void subscriptionHandshake() throws Exception {
    var ok =
        Requests.get(
            Map.of(
                "hub.mode", "subscribe", "hub.verify_token", "vt", "hub.challenge", "1158201444"));
    assertEquals("1158201444", wa.handshake(ok, account).orElseThrow());
    var wrong =
        Requests.get(
            Map.of("hub.mode", "subscribe", "hub.verify_token", "nope", "hub.challenge", "1"));
    assertEquals(
        403, assertThrows(WebhookException.class, () -> wa.handshake(wrong, account)).status());
  }

  int status(WebhookRequest req) {
    return assertThrows(
            WebhookException.class,
            () -> {
              wa.verify(req, account);
              wa.parse(req, account, now);
            })
        .status();
  }
}

package io.omnirouter.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.connectors.line.LineConnector;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.support.Signatures;
import io.omnirouter.connectors.twilio.TwilioConnector;
import io.omnirouter.connectors.viber.ViberConnector;
import io.omnirouter.connectors.wechat.WeChatCrypto;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The vectors the providers' own SDKs publish, checked against our verifiers. */
class SignatureVectorsTest {

  @Test
  void tencentSafeModeSampleDecryptsAndVerifies() throws Exception {
    // WXBizMsgCrypt sample (Tencent): token, EncodingAESKey, AppID, timestamp, nonce, msg_signature
    String encrypt =
        "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=";
    WeChatCrypto crypto =
        new WeChatCrypto(
            "spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2");
    assertTrue(
        crypto.messageSignatureValid(
            "5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132", encrypt));
    assertFalse(
        crypto.messageSignatureValid(
            "5d197aaffba7e9b25a30732f161a50dee96bd5fb", "1409735669", "1320562132", encrypt));
    String xml = crypto.decrypt(encrypt);
    assertTrue(xml.contains("<MsgType><![CDATA[text]]></MsgType>"), xml);

    WeChatCrypto otherApp =
        new WeChatCrypto(
            "spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx0000000000000000");
    assertEquals(
        401,
        assertThrows(WebhookException.class, () -> otherApp.decrypt(encrypt)).status(),
        "AppID is checked");
  }

  @Test
  void ourEncryptionRoundTripsWithThirtyTwoBytePadding() throws Exception {
    WeChatCrypto crypto =
        new WeChatCrypto("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxapp");
    for (int len = 0; len < 70; len++) {
      String msg = "x".repeat(len) + "中文";
      String enc = crypto.encrypt(msg, "0123456789abcdef".getBytes(StandardCharsets.UTF_8));
      assertEquals(0, java.util.Base64.getDecoder().decode(enc).length % 32);
      assertEquals(msg, crypto.decrypt(enc));
    }
  }

  @Test
  void lineSdkVector() throws Exception {
    var account = Requests.account("channel-secret = SECRET");
    var ok =
        Requests.post(
            "{}",
            "application/json",
            Map.of("X-Line-Signature", "3q8QXTAGaey18yL8FWTqdVlbMr6hcuNvM4tefa0o9nA="));
    new LineConnector().verify(ok, account);
    var bad = Requests.post("{}", "application/json", Map.of("X-Line-Signature", "596359635963"));
    assertEquals(
        401,
        assertThrows(WebhookException.class, () -> new LineConnector().verify(bad, account))
            .status());
  }

  @Test
  void twilioDocumentedVector() {
    Map<String, String> params =
        Map.of(
            "CallSid",
            "CA1234567890ABCDE",
            "Caller",
            "+14158675309",
            "Digits",
            "1234",
            "From",
            "+14158675309",
            "To",
            "+18005551212");
    assertEquals(
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
        TwilioConnector.signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params));
  }

  @Test
  void viberSdkVector() throws Exception {
    var account =
        Requests.account("auth-token = \"44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3\"");
    String body =
        "{\"event\":\"webhook\",\"timestamp\":4977069964384421269,\"message_token\":1478683725125}";
    var req =
        Requests.post(
            body,
            "application/json",
            Map.of(
                "X-Viber-Content-Signature",
                "d21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef"));
    new ViberConnector().verify(req, account);
    // the same JSON re-serialized (here: a space added) no longer matches: signatures are over raw
    // bytes
    var reserialized =
        Requests.post(
            body.replace(",", ", "),
            "application/json",
            Map.of(
                "X-Viber-Content-Signature",
                "d21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef"));
    assertThrows(WebhookException.class, () -> new ViberConnector().verify(reserialized, account));
  }

  @Test
  void constantTimeEqualityTreatsNullAsMismatch() {
    assertFalse(Signatures.equal("a", null));
    assertFalse(Signatures.equal(null, null));
    assertTrue(Signatures.equal("abc", "abc"));
  }
}

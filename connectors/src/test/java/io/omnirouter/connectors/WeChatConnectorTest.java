package io.omnirouter.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.spi.WebhookRequest;
import io.omnirouter.connectors.wechat.WeChatConnector;
import io.omnirouter.connectors.wechat.WeChatCrypto;
import io.omnirouter.core.model.Inbound;
import io.omnirouter.core.model.MessageContent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WeChat Official Account XML, plain and safe mode, and hostile XML. */
class WeChatConnectorTest {
  static final String AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  final WeChatConnector wx = new WeChatConnector();
  final AccountSettings account =
      Requests.account("token = tok, app-id = wxapp123, encoding-aes-key = \"" + AES + "\"");
  final Instant now = Instant.parse("2026-11-22T10:00:00Z");

  static final String TEXT =
      "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>"
          + "<CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好 <b>]]></Content>"
          + "<MsgId>6054768590064713728</MsgId></xml>";

  Map<String, String> query(String ts, String nonce) {
    Map<String, String> q = new HashMap<>();
    q.put("timestamp", ts);
    q.put("nonce", nonce);
    q.put("signature", WeChatCrypto.signature("tok", ts, nonce));
    q.put("openid", "oyORnuP8q7ou2gfYjqLzSIWZf0rs");
    return q;
  }

  List<Inbound> parse(WebhookRequest req) throws WebhookException {
    wx.verify(req, account);
    return wx.parse(req, account, now);
  }

  WebhookRequest plain(String xml) {
    return Requests.post(
        xml.getBytes(StandardCharsets.UTF_8),
        "text/xml",
        Map.of(),
        query("1409735669", "1320562132"));
  }

  @Test
  void plainTextMessageKeepsTheSixtyFourBitMsgIdExact() throws Exception {
    Inbound.Message m = assertInstanceOf(Inbound.Message.class, parse(plain(TEXT)).get(0));
    assertEquals("6054768590064713728", m.message().providerMessageId());
    assertEquals("oyORnuP8q7ou2gfYjqLzSIWZf0rs", m.message().senderId());
    assertEquals("你好 <b>", m.message().text());
    assertEquals("success", wx.acknowledgement());
  }

  @Test
  void safeModeMessageIsDecryptedAfterBothSignaturesCheck() throws Exception {
    WeChatCrypto crypto = new WeChatCrypto("tok", AES, "wxapp123");
    String encrypted = crypto.encrypt(TEXT, "0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    String body =
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA["
            + encrypted
            + "]]></Encrypt></xml>";
    Map<String, String> q = query("1409735669", "1320562132");
    q.put("encrypt_type", "aes");
    q.put("msg_signature", WeChatCrypto.signature("tok", "1409735669", "1320562132", encrypted));
    Inbound.Message m =
        assertInstanceOf(
            Inbound.Message.class,
            parse(Requests.post(body.getBytes(StandardCharsets.UTF_8), "text/xml", Map.of(), q))
                .get(0));
    assertEquals("你好 <b>", m.message().text());

    q.put(
        "msg_signature",
        WeChatCrypto.signature("tok", "1409735669", "1320562132", encrypted + "x"));
    WebhookRequest tampered =
        Requests.post(body.getBytes(StandardCharsets.UTF_8), "text/xml", Map.of(), q);
    assertEquals(401, assertThrows(WebhookException.class, () -> parse(tampered)).status());
  }

  @Test
  void eventsAreChannelEventsWithAStableId() throws Exception {
    String subscribe =
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>123456789</CreateTime>"
            + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>";
    Inbound.Event e = assertInstanceOf(Inbound.Event.class, parse(plain(subscribe)).get(0));
    assertEquals("subscribe", e.kind());
    assertEquals("oUser:123456789:subscribe", e.providerEventId());
    String click =
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>123456789</CreateTime>"
            + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[V1001_TODAY_MUSIC]]></EventKey></xml>";
    assertEquals("V1001_TODAY_MUSIC", ((Inbound.Event) parse(plain(click)).get(0)).payload());
  }

  @Test
  void otherMessageTypes() throws Exception {
    String image =
        TEXT.replace(
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好 <b>]]></Content>",
            "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId>");
    assertEquals(
        MessageContent.Type.IMAGE,
        ((Inbound.Message) parse(plain(image)).get(0)).message().content().type());
    String location =
        TEXT.replace(
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好 <b>]]></Content>",
            "<MsgType><![CDATA[location]]></MsgType><Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[位置信息]]></Label>");
    MessageContent loc = ((Inbound.Message) parse(plain(location)).get(0)).message().content();
    assertEquals(23.134521, loc.latitude());
  }

  @Test
  void xxeAndEntityExpansionAreRefusedAsMalformed() {
    String xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
            + "<xml><FromUserName>&xxe;</FromUserName><MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>";
    assertEquals(400, assertThrows(WebhookException.class, () -> parse(plain(xxe))).status());
    StringBuilder lol =
        new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for (int i = 1; i <= 9; i++) {
      lol.append("<!ENTITY lol")
          .append(i)
          .append(" \"")
          .append(("&lol" + (i == 1 ? "" : (i - 1)) + ";").repeat(10))
          .append("\">");
    }
    lol.append("]><xml><FromUserName>&lol9;</FromUserName></xml>");
    assertEquals(
        400, assertThrows(WebhookException.class, () -> parse(plain(lol.toString()))).status());
    assertEquals(
        400,
        assertThrows(
                WebhookException.class, () -> parse(plain("<xml><FromUserName>a</FromUserName>")))
            .status());
    assertEquals(
        400,
        assertThrows(
                WebhookException.class, () -> parse(plain("<xml><MsgType>text</MsgType></xml>")))
            .status());
  }

  @Test
  void badSignatureAndTheUrlHandshake() throws Exception {
    Map<String, String> q = query("1409735669", "1320562132");
    q.put("signature", "0000");
    WebhookRequest forged =
        Requests.post(TEXT.getBytes(StandardCharsets.UTF_8), "text/xml", Map.of(), q);
    assertEquals(401, assertThrows(WebhookException.class, () -> parse(forged)).status());

    Map<String, String> hs = query("1409735669", "1320562132");
    hs.put("echostr", "4887713408215396");
    assertEquals("4887713408215396", wx.handshake(Requests.get(hs), account).orElseThrow());
  }
}

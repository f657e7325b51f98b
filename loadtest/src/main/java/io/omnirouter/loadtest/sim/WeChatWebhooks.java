package io.omnirouter.loadtest.sim;

import io.omnirouter.connectors.wechat.WeChatCrypto;
import java.nio.charset.StandardCharsets;

/** WeChat Official Account pushes, signed (and in safe mode encrypted) as WeChat sends them. */
public final class WeChatWebhooks {
  private WeChatWebhooks() {}

  /** A request: the query string to append to the webhook URL, and the XML body. */
  public record Signed(String query, byte[] body) {}

  public static String text(String openId, String msgId, long createTime, String content) {
    return "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA["
        + openId
        + "]]></FromUserName>"
        + "<CreateTime>"
        + createTime
        + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA["
        + content
        + "]]></Content><MsgId>"
        + msgId
        + "</MsgId></xml>";
  }

  /** Plain mode: the XML as is, with {@code signature}, {@code timestamp}, {@code nonce}. */
  public static Signed plain(String token, String xml, String timestamp, String nonce) {
    return new Signed(
        "?signature="
            + WeChatCrypto.signature(token, timestamp, nonce)
            + "&timestamp="
            + timestamp
            + "&nonce="
            + nonce,
        xml.getBytes(StandardCharsets.UTF_8));
  }

  /** Safe mode: the XML encrypted with the EncodingAESKey, plus {@code msg_signature}. */
  public static Signed safe(
      String token,
      String aesKey,
      String appId,
      String openId,
      String xml,
      String timestamp,
      String nonce) {
    String encrypted =
        new WeChatCrypto(token, aesKey, appId)
            .encrypt(xml, "0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    String body =
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA["
            + encrypted
            + "]]></Encrypt></xml>";
    String query =
        plain(token, "", timestamp, nonce).query()
            + "&openid="
            + openId
            + "&encrypt_type=aes&msg_signature="
            + WeChatCrypto.signature(token, timestamp, nonce, encrypted);
    return new Signed(query, body.getBytes(StandardCharsets.UTF_8));
  }
}

package io.omnirouter.connectors.wechat;

import io.omnirouter.connectors.spi.WebhookException;
import io.omnirouter.connectors.support.Signatures;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat Official Account message security. Signature: SHA-1 of the sorted, concatenated token,
 * timestamp, nonce (and, in safe mode, the ciphertext). Safe mode: AES-256-CBC with key =
 * Base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks
 * (removed here — the JDK's PKCS5 unpadding only knows 16-byte blocks); the plaintext is 16 random
 * bytes, a 4-byte big-endian length, the message, then the AppID.
 */
public final class WeChatCrypto {
  private final String token;
  private final byte[] key;
  private final String appId;

  public WeChatCrypto(String token, String encodingAesKey, String appId) {
    this.token = token;
    this.appId = appId;
    if (encodingAesKey == null) {
      this.key = null;
    } else {
      if (encodingAesKey.length() != 43) {
        throw new IllegalArgumentException("EncodingAESKey must be 43 characters");
      }
      this.key = Base64.getDecoder().decode(encodingAesKey + "=");
    }
  }

  public static String signature(String... parts) {
    String[] sorted = parts.clone();
    Arrays.sort(sorted);
    return Signatures.sha1Hex(String.join("", sorted));
  }

  public boolean plainSignatureValid(String signature, String timestamp, String nonce) {
    return timestamp != null
        && nonce != null
        && Signatures.equal(signature(token, timestamp, nonce), signature);
  }

  public boolean messageSignatureValid(
      String msgSignature, String timestamp, String nonce, String encrypted) {
    return timestamp != null
        && nonce != null
        && encrypted != null
        && Signatures.equal(signature(token, timestamp, nonce, encrypted), msgSignature);
  }

  public String decrypt(String base64) throws WebhookException {
    if (key == null) {
      throw WebhookException.malformed("safe mode message but no EncodingAESKey configured");
    }
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(key, 0, 16));
      plain = cipher.doFinal(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw WebhookException.malformed("cannot decrypt: " + e.getMessage());
    }
    int pad = plain.length == 0 ? 0 : plain[plain.length - 1] & 0xff;
    if (pad < 1 || pad > 32 || pad > plain.length) {
      throw WebhookException.malformed("bad PKCS#7 padding");
    }
    int end = plain.length - pad;
    if (end < 20) {
      throw WebhookException.malformed("decrypted message too short");
    }
    int length = ByteBuffer.wrap(plain, 16, 4).getInt();
    if (length < 0 || 20 + length > end) {
      throw WebhookException.malformed("bad message length");
    }
    String message = new String(plain, 20, length, StandardCharsets.UTF_8);
    String from = new String(plain, 20 + length, end - 20 - length, StandardCharsets.UTF_8);
    if (!Signatures.equal(appId, from)) {
      throw WebhookException.unauthorized("message is for another AppID");
    }
    return message;
  }

  /** Encrypts like the WeChat server does (for passive replies and our simulator). */
  public String encrypt(String message, byte[] random16) {
    byte[] msg = message.getBytes(StandardCharsets.UTF_8);
    byte[] app = appId.getBytes(StandardCharsets.UTF_8);
    int len = 20 + msg.length + app.length;
    int pad = 32 - (len % 32);
    ByteBuffer buf = ByteBuffer.allocate(len + pad);
    buf.put(random16, 0, 16).putInt(msg.length).put(msg).put(app);
    for (int i = 0; i < pad; i++) {
      buf.put((byte) pad);
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
      cipher.init(
          Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(key, 0, 16));
      return Base64.getEncoder().encodeToString(cipher.doFinal(buf.array()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

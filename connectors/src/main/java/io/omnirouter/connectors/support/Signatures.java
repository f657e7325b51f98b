package io.omnirouter.connectors.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMACs and digests over raw bytes, and constant-time comparison. */
public final class Signatures {
  private Signatures() {}

  public static byte[] hmac(String algorithm, String key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " unavailable", e);
    }
  }

  public static String hmacSha256Hex(String key, byte[] data) {
    return HexFormat.of().formatHex(hmac("HmacSHA256", key, data));
  }

  public static String hmacSha256Base64(String key, byte[] data) {
    return Base64.getEncoder().encodeToString(hmac("HmacSHA256", key, data));
  }

  public static String hmacSha1Base64(String key, byte[] data) {
    return Base64.getEncoder().encodeToString(hmac("HmacSHA1", key, data));
  }

  public static String sha1Hex(String data) {
    return digestHex("SHA-1", data);
  }

  /** SHA-256 of the UTF-8 bytes, lower-case hex (how API tokens are stored). */
  public static String sha256Hex(String data) {
    return digestHex("SHA-256", data);
  }

  private static String digestHex(String algorithm, String data) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance(algorithm).digest(data.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Constant-time equality of two strings (null never equals). */
  public static boolean equal(String expected, String given) {
    if (expected == null || given == null) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}

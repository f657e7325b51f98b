package io.omnirouter.connectors.webchat;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.support.Signatures;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Our own web-chat channel: visitor session tokens and the live sockets of this node. A token is
 * HMAC-SHA256(session secret, account + visitor id), so a visitor can only speak as itself.
 */
public final class WebChatSessions {
  /** Pushes one JSON frame to a connected visitor; false when the socket cannot take it. */
  public interface Socket extends Predicate<String> {}

  private final Map<String, Socket> live = new ConcurrentHashMap<>();

  public static String token(AccountSettings account, String visitorId) {
    return Signatures.hmacSha256Hex(
        account.require("session-secret"),
        (account.account() + "\n" + visitorId).getBytes(StandardCharsets.UTF_8));
  }

  public static boolean valid(AccountSettings account, String visitorId, String token) {
    return visitorId != null
        && visitorId.matches("[A-Za-z0-9_-]{8,64}")
        && Signatures.equal(token(account, visitorId), token);
  }

  public void connected(String account, String visitorId, Socket socket) {
    live.put(account + "/" + visitorId, socket);
  }

  public void disconnected(String account, String visitorId, Socket socket) {
    live.remove(account + "/" + visitorId, socket);
  }

  /**
   * Delivers to the visitor's socket on this node; false when the visitor is not connected here.
   */
  public boolean push(String account, String visitorId, String json) {
    Socket s = live.get(account + "/" + visitorId);
    return s != null && s.test(json);
  }

  public boolean connected(String account, String visitorId) {
    return live.containsKey(account + "/" + visitorId);
  }
}

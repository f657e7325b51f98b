package io.omnirouter.server.api;

import com.typesafe.config.Config;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * API tokens from {@code omnirouter.workspaces.<id>.api-tokens}: only their SHA-256 is configured,
 * each scoped to one workspace with a role (and an agent id for agent tokens).
 */
public final class ApiTokens {
  private final Map<String, Principal> byHash = new HashMap<>();

  public ApiTokens(Config root) {
    if (!root.hasPath("omnirouter.workspaces")) {
      return;
    }
    Config all = root.getConfig("omnirouter.workspaces");
    for (String ws : all.root().keySet()) {
      Config w = all.getConfig(ws);
      if (!w.hasPath("api-tokens")) {
        continue;
      }
      for (Config t : w.getConfigList("api-tokens")) {
        Principal.Role role = Principal.Role.valueOf(t.getString("role").toUpperCase(Locale.ROOT));
        String agent = t.hasPath("agent") ? t.getString("agent") : null;
        if (role == Principal.Role.AGENT && agent == null) {
          throw new IllegalStateException(
              "agent token " + t.getString("name") + " in " + ws + " needs 'agent'");
        }
        String hash = t.getString("sha256").toLowerCase(Locale.ROOT);
        if (byHash.put(hash, new Principal(ws, role, agent, t.getString("name"))) != null) {
          throw new IllegalStateException("the same API token is configured twice");
        }
      }
    }
  }

  public Optional<Principal> authenticate(String token) {
    if (token == null || token.isBlank()) {
      return Optional.empty();
    }
    // looked up by hash: the stored secrets are never compared character by character
    return Optional.ofNullable(byHash.get(sha256(token)));
  }

  public static String sha256(String token) {
    return io.omnirouter.connectors.support.Signatures.sha256Hex(token);
  }
}

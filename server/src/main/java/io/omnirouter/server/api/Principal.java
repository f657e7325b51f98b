package io.omnirouter.server.api;

/** Who is calling the inbox API: a token's workspace, role and (for agents) agent id. */
public record Principal(String workspace, Role role, String agentId, String tokenName) {

  public enum Role {
    AGENT,
    SUPERVISOR,
    ADMIN;

    boolean atLeast(Role other) {
      return compareTo(other) >= 0;
    }
  }

  public boolean isSupervisor() {
    return role.atLeast(Role.SUPERVISOR);
  }

  /** An agent token acts only as its own agent; supervisors and admins act as anyone. */
  public boolean mayActAs(String agent) {
    return isSupervisor() || (agentId != null && agentId.equals(agent));
  }
}

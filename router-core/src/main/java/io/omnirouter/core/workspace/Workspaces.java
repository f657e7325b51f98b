package io.omnirouter.core.workspace;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.omnirouter.core.model.Channel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The workspaces declared under {@code omnirouter.workspaces}: channel accounts, teams, agents. */
public record Workspaces(Map<String, Workspace> byId) {

  public record Workspace(
      String id,
      String name,
      List<ChannelAccount> channels,
      List<Team> teams,
      List<AgentProfile> agents) {}

  /** A number / official account / page / bot of one channel, routed to {@code defaultTeam}. */
  public record ChannelAccount(
      Channel channel, String account, String defaultTeam, Config settings) {}

  public record Team(String id, String name, String strategy) {}

  public record AgentProfile(
      String id, String name, List<String> teams, int capacity, List<String> languages) {}

  public static Workspaces fromConfig(Config root) {
    Map<String, Workspace> out = new LinkedHashMap<>();
    if (!root.hasPath("omnirouter.workspaces")) {
      return new Workspaces(Map.of());
    }
    Config all = root.getConfig("omnirouter.workspaces");
    for (String id : all.root().keySet()) {
      Config ws = all.getConfig(id);
      List<Team> teams = new ArrayList<>();
      for (Config t : ws.getConfigList("teams")) {
        teams.add(new Team(t.getString("id"), t.getString("name"), t.getString("strategy")));
      }
      List<String> teamIds = teams.stream().map(Team::id).toList();
      List<ChannelAccount> channels = new ArrayList<>();
      for (Config c : ws.getConfigList("channels")) {
        String team = c.getString("default-team");
        requireTeam(id, teamIds, team, c);
        channels.add(
            new ChannelAccount(
                Channel.fromKey(c.getString("channel")), c.getString("account"), team, c));
      }
      List<AgentProfile> agents = new ArrayList<>();
      for (Config a : ws.getConfigList("agents")) {
        List<String> agentTeams = a.getStringList("teams");
        agentTeams.forEach(t -> requireTeam(id, teamIds, t, a));
        agents.add(
            new AgentProfile(
                a.getString("id"),
                a.getString("name"),
                agentTeams,
                a.getInt("capacity"),
                a.hasPath("languages") ? a.getStringList("languages") : List.of()));
      }
      out.put(id, new Workspace(id, ws.getString("name"), channels, teams, agents));
    }
    return new Workspaces(Map.copyOf(out));
  }

  private static void requireTeam(String ws, List<String> teams, String team, Config where) {
    if (!teams.contains(team)) {
      throw new ConfigException.BadValue(
          where.origin(), "team", "workspace " + ws + " has no team '" + team + "'");
    }
  }
}

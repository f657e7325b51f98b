package io.omnirouter.core.routing;

import io.omnirouter.core.CborSerializable;
import java.time.Instant;
import java.util.Set;

/**
 * What a team router knows of one agent. {@code load} counts the conversations the agent holds (in
 * all its teams); {@code lastAssignedAt} is null for an agent never assigned.
 */
public record AgentView(
    String agentId,
    Presence presence,
    int capacity,
    int load,
    Set<String> languages,
    Set<String> skills,
    Instant lastAssignedAt)
    implements CborSerializable {

  public AgentView {
    languages = Set.copyOf(languages);
    skills = Set.copyOf(skills);
  }

  public boolean hasFreeCapacity() {
    return presence == Presence.ONLINE && load < capacity;
  }

  /**
   * Online, below capacity, speaks the conversation's language, has every skill it needs, and is
   * the requested agent if the conversation was transferred to one.
   */
  public boolean canTake(QueuedConversation c) {
    return hasFreeCapacity()
        && (c.requestedAgent() == null || c.requestedAgent().equals(agentId))
        && (c.language() == null || languages.isEmpty() || languages.contains(c.language()))
        && skills.containsAll(c.requiredSkills());
  }

  AgentView withLoad(int newLoad, Instant assignedAt) {
    return new AgentView(agentId, presence, capacity, newLoad, languages, skills, assignedAt);
  }
}

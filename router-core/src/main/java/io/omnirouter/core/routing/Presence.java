package io.omnirouter.core.routing;

public enum Presence {
  ONLINE,
  AWAY,
  OFFLINE
}

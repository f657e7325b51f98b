package io.omnirouter.core;

/** Sharded entity ids are {@code <workspace>~<local id>}: every entity belongs to one workspace. */
public final class EntityIds {
  public static final char SEP = '~';

  private EntityIds() {}

  public static String of(String workspace, String localId) {
    if (workspace.indexOf(SEP) >= 0) {
      throw new IllegalArgumentException("workspace id must not contain '~': " + workspace);
    }
    return workspace + SEP + localId;
  }

  public static String workspace(String entityId) {
    int i = entityId.indexOf(SEP);
    if (i < 0) {
      throw new IllegalArgumentException("not a workspace-scoped id: " + entityId);
    }
    return entityId.substring(0, i);
  }

  public static String local(String entityId) {
    return entityId.substring(entityId.indexOf(SEP) + 1);
  }
}

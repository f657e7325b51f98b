package io.omnirouter.core.model;

/** The channels a customer can reach a workspace on. */
public enum Channel {
  WHATSAPP,
  WECHAT,
  MESSENGER,
  INSTAGRAM,
  TELEGRAM,
  LINE,
  VIBER,
  SMS,
  EMAIL,
  WEBCHAT,
  CUSTOM;

  /** The path segment used in webhook URLs and config, e.g. {@code whatsapp}. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Channel fromKey(String key) {
    return valueOf(key.toUpperCase(java.util.Locale.ROOT));
  }
}

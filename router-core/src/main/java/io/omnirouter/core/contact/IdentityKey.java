package io.omnirouter.core.contact;

import io.omnirouter.core.model.Channel;
import java.util.Locale;

/**
 * A contact's address on a channel, normalized so the same person is recognized across channels:
 * WhatsApp and SMS share {@code phone:+E164}, e-mail is {@code email:lowercase}, channels with
 * scoped ids include the account ({@code wechat:<account>/<openid>}).
 */
public final class IdentityKey {
  /** A hint naming a contact directly (an e-mail reply to one of our messages names its thread). */
  public static final String CONTACT_PREFIX = "contact:";

  private IdentityKey() {}

  public static String of(Channel channel, String channelAccount, String senderId) {
    return switch (channel) {
      case WHATSAPP, SMS -> phone(senderId);
      case EMAIL -> email(senderId);
        // page-, account- or bot-scoped ids
      case WECHAT, MESSENGER, INSTAGRAM, LINE, TELEGRAM, VIBER, WEBCHAT, CUSTOM ->
          channel.key() + ":" + channelAccount + "/" + senderId;
    };
  }

  /** {@code phone:+<digits>}; WhatsApp sends numbers without the plus. */
  public static String phone(String number) {
    String digits = number.replaceAll("[^0-9]", "");
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("not a phone number: " + number);
    }
    return "phone:+" + digits;
  }

  public static String email(String address) {
    String a = address.trim().toLowerCase(Locale.ROOT);
    int lt = a.indexOf('<');
    if (lt >= 0 && a.endsWith(">")) {
      a = a.substring(lt + 1, a.length() - 1);
    }
    if (!a.contains("@")) {
      throw new IllegalArgumentException("not an e-mail address: " + address);
    }
    return "email:" + a;
  }
}

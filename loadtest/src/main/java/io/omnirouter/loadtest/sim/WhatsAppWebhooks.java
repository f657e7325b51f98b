package io.omnirouter.loadtest.sim;

/** WhatsApp Cloud API webhook bodies, shaped as Meta sends them. */
public final class WhatsAppWebhooks {
  private WhatsAppWebhooks() {}

  public static String message(
      String phoneNumberId, String from, String name, String wamid, long timestamp, String text) {
    return envelope(
        phoneNumberId,
        "\"contacts\":[{\"profile\":{\"name\":"
            + quote(name)
            + "},\"wa_id\":\""
            + from
            + "\"}],"
            + "\"messages\":[{\"from\":\""
            + from
            + "\",\"id\":\""
            + wamid
            + "\",\"timestamp\":\""
            + timestamp
            + "\",\"type\":\"text\",\"text\":{\"body\":"
            + quote(text)
            + "}}]");
  }

  public static String status(
      String phoneNumberId, String recipient, String wamid, String status, String callbackData) {
    return status(
        phoneNumberId, recipient, wamid, status, callbackData, System.currentTimeMillis() / 1000);
  }

  public static String status(
      String phoneNumberId,
      String recipient,
      String wamid,
      String status,
      String callbackData,
      long timestamp) {
    return envelope(
        phoneNumberId,
        "\"statuses\":[{\"id\":\""
            + wamid
            + "\",\"status\":\""
            + status
            + "\",\"timestamp\":\""
            + timestamp
            + "\",\"recipient_id\":\""
            + recipient
            + "\""
            + (callbackData == null ? "" : ",\"biz_opaque_callback_data\":" + quote(callbackData))
            + ",\"conversation\":{\"id\":\"c1\",\"origin\":{\"type\":\"service\"}},\"pricing\":{\"billable\":true,\"pricing_model\":\"CBP\",\"category\":\"service\"}}]");
  }

  private static String envelope(String phoneNumberId, String inner) {
    return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\","
        + "\"metadata\":{\"display_phone_number\":\"15550783881\",\"phone_number_id\":\""
        + phoneNumberId
        + "\"},"
        + inner
        + "},\"field\":\"messages\"}]}]}";
  }

  static String quote(String s) {
    try {
      return io.omnirouter.connectors.support.Json.MAPPER.writeValueAsString(s);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}

package io.omnirouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.contact.IdentityKey;
import io.omnirouter.persistence.testkit.TestCassandra;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Admission control on the webhook path: beyond {@code max-in-flight} a webhook is answered 503
 * with Retry-After at once and nothing of it is stored (the provider retries later).
 */
class OverloadTest {
  @Test
  void aWebhookBeyondTheInFlightLimitIsShedWithRetryAfterAndStoresNothing() throws Exception {
    String ws = "ov" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String conf =
        "omnirouter.workspaces."
            + ws
            + " {\n name = Overload\n"
            + " teams = [ { id = support, name = S, strategy = least-loaded } ]\n"
            + " agents = []\n"
            + " channels = [ { channel = whatsapp, account = \"wa-"
            + ws
            + "\", default-team = support, app-secret = s3cret, verify-token = vt } ]\n}\n"
            // no capacity at all: every webhook is beyond the limit
            + "omnirouter.webhooks.max-in-flight = 0\n"
            + "omnirouter.webhooks.retry-after = 7s\n";
    try (var router = new InProcessRouter("overload", TestCassandra.config(conf), false)) {
      String phone = WebhookIngestTest.phone();
      String body = WebhookIngestTest.wa(phone, "wamid." + UUID.randomUUID(), "hello");
      var r =
          router.post(
              "/webhooks/whatsapp/wa-" + ws,
              "application/json",
              body.getBytes(StandardCharsets.UTF_8),
              WebhookIngestTest.sig(body));
      assertEquals(503, r.statusCode());
      assertEquals("7", r.headers().firstValue("Retry-After").orElse(""));
      assertTrue(r.body().contains("overloaded"), r.body());
      assertNull(router.contactOf(ws, IdentityKey.phone(phone)), "nothing stored");
    }
  }
}

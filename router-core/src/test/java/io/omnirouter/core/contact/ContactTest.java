package io.omnirouter.core.contact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ContactTest {
  static final ActorTestKit testKit = io.omnirouter.core.testing.TestKits.eventSourced();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A contact recovers from its events alone: it never snapshots, and skips the snapshot store. */
  @Test
  void aContactKeepsItsIdentitiesNameAndFieldsAcrossARestart() {
    var ports =
        new Contact.Ports() {
          public void absorb(String survivorId, String mergedId, List<String> identities) {}

          public void repoint(String identityKey, String contactId) {}
        };
    EventSourcedBehaviorTestKit<Contact.Command, Contact.Event, Contact.State> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), Contact.create("ws~ct-" + UUID.randomUUID(), ports));
    kit.<Done>runCommand(r -> new Contact.AddIdentity("whatsapp:demo-wa:4917", "Kim", r));
    kit.<Done>runCommand(r -> new Contact.AddIdentity("email:demo-mail:kim@example.com", null, r));
    kit.<StatusReply<Contact.Summary>>runCommand(
        r -> new Contact.Update("Kim Lee", Map.of("tier", "gold"), r));

    kit.restart();

    Contact.Summary after = kit.<Contact.Summary>runCommand(Contact.Get::new).reply();
    assertEquals(
        List.of("whatsapp:demo-wa:4917", "email:demo-mail:kim@example.com"), after.identities());
    assertEquals("Kim Lee", after.name());
    assertEquals(Map.of("tier", "gold"), after.customFields());
  }
}

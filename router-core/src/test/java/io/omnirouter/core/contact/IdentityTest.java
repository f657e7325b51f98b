package io.omnirouter.core.contact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnirouter.core.model.Channel;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class IdentityTest {
  static final ActorTestKit testKit = io.omnirouter.core.testing.TestKits.eventSourced();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  record LookupCall(String key, ActorRef<Identity.LookupResult> replyTo) {}

  TestProbe<Object> ports = testKit.createTestProbe();
  volatile ActorRef<org.apache.pekko.Done> lastConfirm;

  EventSourcedBehaviorTestKit<Identity.Command, Identity.Event, Identity.State> kit(
      String key, boolean autoMerge) {
    ActorRef<Object> out = ports.getRef();
    var p =
        new Identity.Ports() {
          public void lookup(String k, ActorRef<Identity.LookupResult> r) {
            out.tell(new LookupCall(k, r));
          }

          public void linkIfUnlinked(String k, String contact) {
            out.tell("link " + k + " " + contact);
          }

          public void addToContact(
              String contact, String k, String name, ActorRef<org.apache.pekko.Done> confirm) {
            lastConfirm = confirm;
            out.tell("add " + k);
          }
        };
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), Identity.create("ws~" + key, autoMerge, p));
  }

  @Test
  void aNewIdentityGetsADeterministicContactThatSurvivesARestart() {
    String key =
        "phone:+49" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
    var kit = kit(key, true);
    var first =
        kit.<Identity.Resolved>runCommand(r -> new Identity.Resolve(List.of(), null, r)).reply();
    assertTrue(first.created());
    assertEquals(Identity.newContactId("ws", key), first.contactId());
    ports.expectMessage("add " + key);
    // the contact never confirmed (a node died, the message was lost): the next resolution tells it
    // again, after a restart too
    kit.restart();
    var again =
        kit.<Identity.Resolved>runCommand(r -> new Identity.Resolve(List.of(), null, r)).reply();
    assertFalse(again.created());
    assertEquals(first.contactId(), again.contactId());
    ports.expectMessage("add " + key);
    // once the contact confirms, resolutions stop telling it
    lastConfirm.tell(org.apache.pekko.Done.getInstance());
    ports.expectNoMessage(java.time.Duration.ofMillis(200));
    kit.<Identity.Resolved>runCommand(r -> new Identity.Resolve(List.of(), null, r));
    ports.expectNoMessage(java.time.Duration.ofMillis(300));
  }

  @Test
  void whileAHintIsLookedUpLaterRequestsWaitAndGetTheSameContact() {
    String key = IdentityKey.of(Channel.WEBCHAT, "web", "v-" + UUID.randomUUID());
    var kit = kit(key, true);
    TestProbe<Identity.Resolved> a = testKit.createTestProbe();
    TestProbe<Identity.Resolved> b = testKit.createTestProbe();
    kit.runCommand(new Identity.Resolve(List.of("email:ann@example.com"), "Ann", a.getRef()));
    LookupCall lookup = ports.expectMessageClass(LookupCall.class);
    assertEquals("email:ann@example.com", lookup.key());
    kit.runCommand(new Identity.Resolve(List.of(), null, b.getRef())); // stashed meanwhile
    lookup.replyTo().tell(new Identity.LookupResult("email:ann@example.com", "ct-ann"));
    assertEquals("ct-ann", a.receiveMessage().contactId());
    assertEquals("ct-ann", b.receiveMessage().contactId());
  }

  @Test
  void withAutoMergeOffHintsAreNotFollowed() {
    String key = IdentityKey.of(Channel.WEBCHAT, "web", "v-" + UUID.randomUUID());
    var kit = kit(key, false);
    var r =
        kit.<Identity.Resolved>runCommand(
                x -> new Identity.Resolve(List.of("email:x@example.com"), null, x))
            .reply();
    assertEquals(Identity.newContactId("ws", key), r.contactId());
  }
}

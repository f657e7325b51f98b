package io.omnirouter.connectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.omnirouter.connectors.email.SmtpSender;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.core.model.OutboundRequest;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replies go out over a real SMTP server (GreenMail) threaded under the customer's message. */
class SmtpSenderTest {
  @RegisterExtension static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP);

  @Test
  void threadsTheReplyWithInReplyToAndReferences() throws Exception {
    var account =
        Requests.account(
            "smtp-host = 127.0.0.1, smtp-port = "
                + ServerSetupTest.SMTP.getPort()
                + ", smtp-starttls = false, from-address = \"support@demo.example.com\", from-name = Support");
    var sender = new SmtpSender(Executors.newSingleThreadExecutor());
    var request =
        new OutboundRequest(
            "ws~ct-1",
            "out-42",
            Channel.EMAIL,
            "mail-1",
            "ann@example.com",
            OutboundContent.text("It ships today."),
            1,
            List.of("<a@x>", "<CAJx=1@mail.example.com>"),
            "Order 42",
            null);
    String id = sender.send(request, account).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals("<out-42.ct-1@demo.example.com>", id);

    MimeMessage got = smtp.getReceivedMessages()[0];
    assertEquals("Re: Order 42", got.getSubject());
    assertEquals("<CAJx=1@mail.example.com>", got.getHeader("In-Reply-To")[0]);
    assertEquals("<a@x> <CAJx=1@mail.example.com>", got.getHeader("References")[0]);
    assertEquals("<out-42.ct-1@demo.example.com>", got.getMessageID());
    assertTrue(((String) got.getContent()).contains("It ships today."));
  }
}

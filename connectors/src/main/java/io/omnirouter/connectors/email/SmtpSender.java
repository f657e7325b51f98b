package io.omnirouter.connectors.email;

import io.omnirouter.connectors.spi.AccountSettings;
import io.omnirouter.connectors.spi.ChannelSender;
import io.omnirouter.connectors.spi.SendFailure;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundRequest;
import io.omnirouter.core.model.ProviderError;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * E-mail replies over SMTP (Jakarta Mail), on a blocking executor. The Message-ID is derived from
 * our message id (a resend carries the same one); In-Reply-To and References come from the
 * customer's last message so their client threads the reply.
 */
public final class SmtpSender implements ChannelSender {
  private final Executor blocking;

  public SmtpSender(Executor blocking) {
    this.blocking = blocking;
  }

  @Override
  public Channel channel() {
    return Channel.EMAIL;
  }

  @Override
  public CompletionStage<String> send(OutboundRequest r, AccountSettings account) {
    return CompletableFuture.supplyAsync(() -> deliver(r, account), blocking);
  }

  private String deliver(OutboundRequest r, AccountSettings account) {
    String from = account.require("from-address");
    String domain = from.substring(from.indexOf('@') + 1);
    // the contact id travels in our Message-ID, so a reply from any address finds its thread
    String messageId = OurMessageIds.of(r.messageId(), r.conversationId(), domain);
    try {
      Session session = session(account);
      MimeMessage m =
          new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
              setHeader("Message-ID", messageId);
            }
          };
      m.setFrom(new InternetAddress(from, account.optional("from-name", null)));
      m.setRecipient(Message.RecipientType.TO, new InternetAddress(r.recipient(), true));
      String subject =
          r.subject() == null ? account.optional("default-subject", "Your request") : r.subject();
      m.setSubject(
          subject.regionMatches(true, 0, "Re:", 0, 3) ? subject : "Re: " + subject, "UTF-8");
      if (!r.thread().isEmpty()) {
        m.setHeader("In-Reply-To", r.thread().get(r.thread().size() - 1));
        m.setHeader("References", String.join(" ", r.thread()));
      }
      m.setText(r.content().text() == null ? "" : r.content().text(), "UTF-8");
      Transport.send(m);
      return messageId;
    } catch (SendFailedException e) {
      throw new SendFailure(
          new ProviderError(
              "smtp-rejected", e.getMessage(), ProviderError.Outcome.RECIPIENT_UNREACHABLE));
    } catch (MessagingException | java.io.UnsupportedEncodingException e) {
      throw new SendFailure(
          new ProviderError(
              "smtp", String.valueOf(e.getMessage()), ProviderError.Outcome.TRANSIENT));
    }
  }

  private static Session session(AccountSettings account) {
    Properties p = new Properties();
    p.put("mail.smtp.host", account.require("smtp-host"));
    p.put("mail.smtp.port", account.optional("smtp-port", "587"));
    p.put("mail.smtp.starttls.enable", account.optional("smtp-starttls", "true"));
    p.put("mail.smtp.connectiontimeout", "10000");
    p.put("mail.smtp.timeout", "10000");
    String user = account.optional("smtp-username", null);
    if (user == null) {
      return Session.getInstance(p);
    }
    p.put("mail.smtp.auth", "true");
    String password = account.require("smtp-password");
    return Session.getInstance(
        p,
        new Authenticator() {
          @Override
          protected PasswordAuthentication getPasswordAuthentication() {
            return new PasswordAuthentication(user, password);
          }
        });
  }
}

package io.omnirouter.core.ingest;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.omnirouter.core.CborSerializable;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.Inbound;
import java.util.Objects;

/**
 * One normalized webhook event as the ingest log keeps it: exactly one of {@code message}, {@code
 * status} and {@code event} is set (flat fields keep the stored form free of type tags).
 */
public record IngestEntry(
    String workspace,
    Channel channel,
    String account,
    Inbound.Message message,
    Inbound.Status status,
    Inbound.Event event)
    implements CborSerializable {

  public IngestEntry {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(account, "account");
    int set = (message != null ? 1 : 0) + (status != null ? 1 : 0) + (event != null ? 1 : 0);
    if (set != 1) {
      throw new IllegalArgumentException("an ingest entry holds exactly one event, not " + set);
    }
  }

  public static IngestEntry of(String workspace, Channel channel, String account, Inbound in) {
    if (in instanceof Inbound.Message m) {
      return new IngestEntry(workspace, channel, account, m, null, null);
    }
    if (in instanceof Inbound.Status s) {
      return new IngestEntry(workspace, channel, account, null, s, null);
    }
    return new IngestEntry(workspace, channel, account, null, null, (Inbound.Event) in);
  }

  /**
   * The customer this event is about, as an identity key in its workspace: entries with the same
   * key go to the same partition and reach their conversation one after another, in log order. Just
   * the workspace where the provider names nobody (a status without recipient).
   */
  @JsonIgnore
  public String orderKey() {
    String sender =
        message != null
            ? message.message().senderId()
            : status != null ? status.recipient() : event.senderId();
    // raw, not IdentityKey.of: a key must never fail to form inside the partition
    return sender == null
        ? workspace
        : workspace + "|" + channel.key() + "|" + account + "|" + sender;
  }
}

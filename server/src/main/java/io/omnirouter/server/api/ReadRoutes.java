package io.omnirouter.server.api;

import io.omnirouter.core.EntityIds;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.core.readside.ConversationDigest;
import io.omnirouter.core.window.ChannelWindows;
import io.omnirouter.persistence.readside.MessageRows;
import io.omnirouter.persistence.readside.ReadSideStore;
import io.omnirouter.persistence.readside.ReadSideStore.ConversationFilter;
import io.omnirouter.persistence.readside.ReadSideStore.ListCursor;
import io.omnirouter.persistence.readside.ReadSideStore.MessageRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The API's reads from the read side: conversation lists (filters, cursor pages that stay put while
 * messages arrive), message pages, contact search. Rows come from the projections, so they trail
 * the entities by the projection lag — except an agent's own replies and notes, which the API
 * writes here itself when it accepts them (read your writes).
 */
final class ReadRoutes {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;

  /** Rows a list request looks at at most; a page can be short and still have a next cursor. */
  static final int SCAN_BUDGET = 5_000;

  private final ReadSideStore store;
  private final Function<Principal, Set<String>> teamsOf;

  ReadRoutes(ReadSideStore store, Function<Principal, Set<String>> teamsOf) {
    this.store = store;
    this.teamsOf = teamsOf;
  }

  // ---- conversations ----

  CompletionStage<HttpResponse> conversations(Principal p, Map<String, String> q) {
    int limit;
    ListCursor cursor;
    ConversationFilter filter;
    try {
      limit = limit(q);
      cursor = q.containsKey("cursor") ? decodeCursor(q.get("cursor")) : null;
      String channel = q.get("channel");
      if (channel != null) {
        Channel.fromKey(channel);
      }
      filter =
          new ConversationFilter(
              q.get("status"),
              q.get("team"),
              q.get("assignee"),
              flag(q, "unassigned"),
              channel,
              q.get("tag"),
              q.containsKey("updatedSince") ? Instant.parse(q.get("updatedSince")) : null);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return InboxRoutes.done(InboxRoutes.problem(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    Predicate<ConversationDigest> visible = filter;
    if (!p.isSupervisor()) {
      // agents see what they have and what waits in their teams (as on the detail route)
      Set<String> teams = teamsOf.apply(p);
      visible = filter.and(d -> p.agentId().equals(d.assignee()) || teams.contains(d.team()));
    }
    return store
        .conversations(p.workspace(), visible, cursor, limit, SCAN_BUDGET)
        .thenApply(
            page -> {
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("items", page.items().stream().map(ReadRoutes::listItem).toList());
              body.put("nextCursor", page.next() == null ? null : encodeCursor(page.next()));
              return InboxRoutes.ok(body);
            });
  }

  private static Map<String, Object> listItem(ConversationDigest d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.contactId());
    m.put("status", d.status());
    m.put("team", d.team());
    m.put("assignee", d.assignee());
    m.put("priority", d.priority());
    m.put("tags", d.tags());
    m.put("channels", d.channels());
    m.put("createdAt", d.createdAt());
    m.put("updatedAt", d.updatedAt());
    m.put("lastMessage", d.lastMessage());
    m.put("messageCount", d.messageCount());
    Map<String, Object> windows = new LinkedHashMap<>();
    d.lastInboundAt()
        .forEach(
            (ch, at) -> {
              Instant until = ChannelWindows.freeFormUntil(Channel.fromKey(ch), at);
              windows.put(ch, until == null ? "always" : until);
            });
    m.put("freeFormUntil", windows);
    return m;
  }

  static String encodeCursor(ListCursor c) {
    String raw = c.createdAt().toEpochMilli() + ":" + c.conversationId();
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static ListCursor decodeCursor(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int colon = raw.indexOf(':');
      return new ListCursor(
          Instant.ofEpochMilli(Long.parseLong(raw.substring(0, colon))), raw.substring(colon + 1));
    } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("not a cursor this API gave out: " + cursor);
    }
  }

  // ---- messages ----

  /** In order; {@code after}/{@code before} are sequence numbers; neither: the latest page. */
  CompletionStage<HttpResponse> messages(Principal p, String id, Map<String, String> q) {
    int limit;
    Long after;
    Long before;
    try {
      limit = limit(q);
      after = q.containsKey("after") ? Long.parseLong(q.get("after")) : null;
      before = q.containsKey("before") ? Long.parseLong(q.get("before")) : null;
    } catch (IllegalArgumentException e) {
      return InboxRoutes.done(InboxRoutes.problem(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return store
        .messages(EntityIds.of(p.workspace(), id), after, before, limit)
        .thenApply(
            rows -> {
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("items", rows.stream().map(ReadRoutes::messageItem).toList());
              if (!rows.isEmpty()) {
                body.put("first", rows.get(0).sequence());
                body.put("last", rows.get(rows.size() - 1).sequence());
              }
              return InboxRoutes.ok(body);
            });
  }

  private static Map<String, Object> messageItem(MessageRow r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sequence", r.sequence());
    m.put("direction", r.direction());
    m.put("channel", r.channel());
    m.put("messageId", r.messageId());
    m.put("author", r.author());
    m.put("text", r.text());
    if (r.contentJson() != null) {
      try {
        m.put("content", InboxRoutes.JSON.readTree(r.contentJson()));
      } catch (IOException e) {
        m.put("content", null);
      }
    }
    m.put("at", r.at());
    if (r.state() != null) {
      m.put("state", r.state());
    }
    return m;
  }

  /** The reply the API just accepted, into the message table now: its author sees it at once. */
  CompletionStage<Done> ownReply(
      Principal p, String id, long sequence, String messageId, Channel ch, OutboundContent c) {
    String conversation = EntityIds.of(p.workspace(), id);
    var event =
        new Conversation.ReplyQueued(
            sequence,
            messageId,
            ch,
            null,
            null,
            c,
            author(p),
            Instant.now(),
            List.of(),
            null,
            null);
    return store
        .putMessage(MessageRows.of(conversation, event))
        .thenCompose(
            d ->
                store.putMessageState(
                    conversation, messageId, Conversation.replyStateAfter(event)));
  }

  CompletionStage<Done> ownNote(Principal p, String id, long sequence, String text) {
    var event = new Conversation.NoteAdded(sequence, text, author(p), Instant.now());
    return store.putMessage(MessageRows.of(EntityIds.of(p.workspace(), id), event));
  }

  static String author(Principal p) {
    return p.agentId() != null ? p.agentId() : p.tokenName();
  }

  // ---- contacts ----

  CompletionStage<HttpResponse> searchContacts(Principal p, Map<String, String> q) {
    String query = q.getOrDefault("q", "");
    int limit;
    try {
      limit = limit(q);
    } catch (IllegalArgumentException e) {
      return InboxRoutes.done(InboxRoutes.problem(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    if (query.isBlank()) {
      return InboxRoutes.done(
          InboxRoutes.problem(
              StatusCodes.BAD_REQUEST, "q: a name (2+ letters), phone number or e-mail address"));
    }
    return store
        .searchContacts(p.workspace(), query, limit)
        .thenApply(
            rows ->
                InboxRoutes.ok(
                    Map.of(
                        "items",
                        rows.stream()
                            .map(
                                c -> {
                                  Map<String, Object> m = new LinkedHashMap<>();
                                  m.put("id", c.contactId());
                                  m.put("name", c.name());
                                  m.put("identities", c.identities());
                                  m.put("customFields", c.customFields());
                                  return m;
                                })
                            .toList())));
  }

  // ---- parameters ----

  /** {@code limit} of a list (1..{@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}). */
  static int limit(Map<String, String> q) {
    int limit;
    try {
      limit = q.containsKey("limit") ? Integer.parseInt(q.get("limit")) : DEFAULT_LIMIT;
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
    }
    return limit;
  }

  private static boolean flag(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null) {
      return false;
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(name + " must be true or false");
    }
    return Boolean.parseBoolean(v);
  }
}

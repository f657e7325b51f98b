package io.omnirouter.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.omnirouter.core.RouterCore;
import io.omnirouter.core.agent.Agent;
import io.omnirouter.core.contact.Contact;
import io.omnirouter.core.conversation.Conversation;
import io.omnirouter.core.model.Channel;
import io.omnirouter.core.model.OutboundContent;
import io.omnirouter.core.routing.AgentView;
import io.omnirouter.core.routing.Presence;
import io.omnirouter.core.team.TeamRouter;
import io.omnirouter.persistence.readside.ReadSideStore;
import io.omnirouter.server.Problems;
import io.omnirouter.server.live.LiveHub;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;

/**
 * The inbox API {@code /api/v1/workspaces/{ws}/…} for agent and supervisor apps: bearer tokens
 * scoped to one workspace (another workspace is 404), roles (an agent acts only as itself: 403),
 * JSON in and out, errors as {@code application/problem+json}. Entities are asked with the
 * configured timeout; lists and the live stream come with the read-side projections.
 */
public final class InboxRoutes extends AllDirectives {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InboxRoutes.class);

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  private final RouterCore core;
  private final ApiTokens tokens;
  private final Duration timeout;
  private final ActorSystem<?> system;
  private final Duration askAgainAfter;
  private final byte[] openApi;
  private final ReadRoutes reads;
  private final StreamRoutes stream;

  public InboxRoutes(
      ActorSystem<?> system,
      RouterCore core,
      ApiTokens tokens,
      Duration timeout,
      ReadSideStore store,
      ActorRef<LiveHub.Command> hub,
      Duration resumeOverlap) {
    this.core = core;
    this.tokens = tokens;
    this.timeout = timeout;
    this.system = system;
    this.askAgainAfter = system.settings().config().getDuration("omnirouter.http.ask-again-after");
    this.reads = new ReadRoutes(store, this::agentTeams);
    this.stream = new StreamRoutes(system, hub, store, resumeOverlap, timeout);
    try (InputStream in = InboxRoutes.class.getResourceAsStream("/api/openapi.json")) {
      this.openApi = in.readAllBytes();
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("api/openapi.json missing", e);
    }
  }

  public Route routes() {
    return pathPrefix(
        "api",
        () ->
            pathPrefix(
                "v1",
                () ->
                    handleExceptions(
                        org.apache.pekko.http.javadsl.server.ExceptionHandler.newBuilder()
                            .matchAny(e -> complete(failure(e)))
                            .build(),
                        () ->
                            concat(
                                path(
                                    "openapi.json",
                                    () ->
                                        get(
                                            () ->
                                                complete(
                                                    HttpEntities.create(
                                                        ContentTypes.APPLICATION_JSON, openApi)))),
                                pathPrefix(
                                    "workspaces",
                                    () -> pathPrefix(ws -> authenticated(ws, this::workspace)))))));
  }

  /**
   * What a request that failed on the way answers: an entity or Cassandra that did not answer in
   * time (overload, a node leaving, Cassandra away) is retryable — 503 with Retry-After, like the
   * webhooks — anything else is a 500 problem. Both are logged.
   */
  private static final java.time.Duration RETRY_AFTER = java.time.Duration.ofSeconds(2);

  static HttpResponse failure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.util.concurrent.TimeoutException
          || t instanceof org.apache.pekko.pattern.AskTimeoutException
          || t instanceof org.apache.pekko.pattern.CircuitBreakerOpenException
          || t instanceof com.datastax.oss.driver.api.core.DriverTimeoutException
          || t instanceof com.datastax.oss.driver.api.core.AllNodesFailedException
          || t instanceof com.datastax.oss.driver.api.core.servererrors.QueryExecutionException) {
        LOG.warn("API request not answered in time: {}", t.toString());
        return Problems.unavailable("not answered in time; retry shortly", RETRY_AFTER);
      }
    }
    LOG.error("API request failed", e);
    return problem(StatusCodes.INTERNAL_SERVER_ERROR, "internal error");
  }

  /**
   * The bearer token, or {@code access_token} in the query (browsers' EventSource sends no
   * headers).
   */
  private Route authenticated(String ws, Function<Principal, Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header ->
            parameterOptional("access_token", param -> authenticated(ws, header, param, inner)));
  }

  private Route authenticated(
      String ws,
      java.util.Optional<String> header,
      java.util.Optional<String> param,
      Function<Principal, Route> inner) {
    {
      String token =
          header
              .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
              .map(h -> h.substring(7).trim())
              .or(() -> param)
              .orElse(null);
      var principal = tokens.authenticate(token);
      if (principal.isEmpty()) {
        return complete(problem(StatusCodes.UNAUTHORIZED, "a valid bearer token is required"));
      }
      if (!principal.get().workspace().equals(ws)) {
        // another workspace's data does not exist for this token
        return complete(problem(StatusCodes.NOT_FOUND, "no workspace " + ws));
      }
      return inner.apply(principal.get());
    }
  }

  private Route workspace(Principal p) {
    return concat(
        path("stream", () -> stream.stream(p)),
        pathPrefix(
            "conversations",
            () ->
                concat(
                    pathEnd(
                        () ->
                            get(
                                () ->
                                    parameterMap(
                                        q ->
                                            onSuccess(reads.conversations(p, q), this::complete)))),
                    pathPrefix(
                        id ->
                            concat(
                                pathEnd(
                                    () ->
                                        get(() -> onSuccess(conversation(p, id), this::complete))),
                                path(
                                    "messages",
                                    () ->
                                        concat(
                                            get(
                                                () ->
                                                    parameterMap(
                                                        q ->
                                                            onSuccess(
                                                                messages(p, id, q),
                                                                this::complete))),
                                            post(
                                                () ->
                                                    body(
                                                        b ->
                                                            onSuccess(
                                                                send(p, id, b), this::complete))))),
                                path(
                                    PathMatchers.segment(),
                                    action ->
                                        post(
                                            () ->
                                                body(
                                                    b ->
                                                        onSuccess(
                                                            action(p, id, action, b),
                                                            this::complete)))))))),
        pathPrefix(
            "agents",
            () ->
                pathPrefix(
                    agent ->
                        concat(
                            pathEnd(() -> get(() -> onSuccess(agent(p, agent), this::complete))),
                            path(
                                "presence",
                                () ->
                                    put(
                                        () ->
                                            body(
                                                b ->
                                                    onSuccess(
                                                        presence(p, agent, b), this::complete)))),
                            path(
                                "capacity",
                                () ->
                                    put(
                                        () ->
                                            body(
                                                b ->
                                                    onSuccess(
                                                        capacity(p, agent, b),
                                                        this::complete))))))),
        path(
            PathMatchers.segment("teams").slash(PathMatchers.segment()).slash("queue"),
            team -> get(() -> parameterMap(q -> onSuccess(queue(p, team, q), this::complete)))),
        pathPrefix(
            "ingest-dead-letters",
            () ->
                p.role() != Principal.Role.ADMIN
                    ? complete(problem(StatusCodes.FORBIDDEN, "dead letters need an admin token"))
                    : concat(
                        pathEnd(() -> get(() -> onSuccess(deadLetters(p), this::complete))),
                        path(
                            PathMatchers.segment().slash(PathMatchers.segment()).slash("refeed"),
                            (partition, id) ->
                                post(() -> onSuccess(refeed(p, partition, id), this::complete))))),
        pathPrefix(
            "contacts",
            () ->
                concat(
                    pathEnd(
                        () ->
                            get(
                                () ->
                                    parameterMap(
                                        q ->
                                            onSuccess(
                                                reads.searchContacts(p, q), this::complete)))),
                    pathPrefix(
                        id ->
                            concat(
                                pathEnd(
                                    () ->
                                        concat(
                                            get(() -> onSuccess(contact(p, id), this::complete)),
                                            patch(
                                                () ->
                                                    body(
                                                        b ->
                                                            onSuccess(
                                                                updateContact(p, id, b),
                                                                this::complete))))),
                                path(
                                    "merge",
                                    () ->
                                        post(
                                            () ->
                                                body(
                                                    b ->
                                                        onSuccess(
                                                            merge(p, id, b),
                                                            this::complete)))))))));
  }

  private Route body(Function<JsonNode, Route> inner) {
    return entity(
        Unmarshaller.entityToString(),
        text -> {
          try {
            JsonNode node = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            return node.isObject()
                ? inner.apply(node)
                : complete(problem(StatusCodes.BAD_REQUEST, "expected a JSON object"));
          } catch (IOException e) {
            return complete(problem(StatusCodes.BAD_REQUEST, "not JSON"));
          }
        });
  }

  /**
   * For requests that may be applied twice only (reads, setting a value, a reply with its message
   * id): see {@link AskAgain}.
   */
  private <M, R> CompletionStage<R> askAgain(
      org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<M> ref,
      java.util.function.Function<ActorRef<R>, M> message) {
    return AskAgain.ask(ref, message, timeout, askAgainAfter, system);
  }

  // ---- conversations ----

  private CompletionStage<Conversation.Summary> summary(Principal p, String id) {
    return askAgain(core.conversation(p.workspace(), id), Conversation.GetSummary::new);
  }

  private CompletionStage<HttpResponse> conversation(Principal p, String id) {
    return summary(p, id)
        .thenCompose(
            s ->
                visible(p, s)
                    ? askAgain(core.contact(p.workspace(), id), Contact.Get::new)
                        .thenApply(c -> ok(ConversationView.of(id, s, c)))
                    : done(notFound(s, id)));
  }

  /** Agents see conversations assigned to them and those waiting in their teams. */
  private boolean visible(Principal p, Conversation.Summary s) {
    if (s.status() == Conversation.Status.NEW) {
      return false;
    }
    return p.isSupervisor() || p.agentId().equals(s.assignee()) || agentTeams(p).contains(s.team());
  }

  Set<String> agentTeams(Principal p) {
    var ws = core.workspaces().byId().get(p.workspace());
    Set<String> teams = new HashSet<>();
    if (ws != null) {
      ws.agents().stream()
          .filter(a -> a.id().equals(p.agentId()))
          .forEach(a -> teams.addAll(a.teams()));
    }
    return teams;
  }

  private HttpResponse notFound(Conversation.Summary s, String id) {
    return problem(StatusCodes.NOT_FOUND, "no conversation " + id);
  }

  private CompletionStage<HttpResponse> send(Principal p, String id, JsonNode b) {
    return summary(p, id)
        .thenCompose(
            s -> {
              if (!visible(p, s)) {
                return done(notFound(s, id));
              }
              String type = b.path("type").asText("text");
              String by = p.agentId() != null ? p.agentId() : p.tokenName();
              if ("note".equals(type)) {
                String text = b.path("text").asText("");
                return core.conversation(p.workspace(), id)
                    .<StatusReply<Long>>ask(r -> new Conversation.AddNote(text, by, r), timeout)
                    .thenCompose(
                        r ->
                            r.isSuccess()
                                ? afterOwnWrite(
                                    reads.ownNote(p, id, r.getValue(), text),
                                    json(
                                        StatusCodes.CREATED,
                                        Map.of("type", "note", "sequence", r.getValue())))
                                : done(
                                    problem(
                                        StatusCodes.UNPROCESSABLE_ENTITY,
                                        r.getError().getMessage())));
              }
              if (!p.isSupervisor() && !p.agentId().equals(s.assignee())) {
                return done(
                    problem(StatusCodes.FORBIDDEN, "only the assignee (or a supervisor) replies"));
              }
              Channel channel;
              try {
                channel =
                    b.hasNonNull("channel")
                        ? Channel.fromKey(b.path("channel").asText())
                        : lastChannel(s);
              } catch (IllegalArgumentException e) {
                return done(
                    problem(
                        StatusCodes.BAD_REQUEST, "unknown channel " + b.path("channel").asText()));
              }
              if (channel == null) {
                return done(
                    problem(
                        StatusCodes.UNPROCESSABLE_ENTITY,
                        "the contact has not written on any channel"));
              }
              OutboundContent content;
              try {
                content = content(type, b);
              } catch (IllegalArgumentException e) {
                return done(problem(StatusCodes.BAD_REQUEST, e.getMessage()));
              }
              String messageId =
                  b.hasNonNull("id") ? b.path("id").asText() : "m-" + UUID.randomUUID();
              Channel ch = channel;
              // one message id for every send: a conversation that has it answers without a second
              // reply
              return this.<Conversation.Command, Conversation.ReplyResult>askAgain(
                      core.conversation(p.workspace(), id),
                      r -> new Conversation.SendReply(messageId, ch, content, by, r))
                  .thenCompose(
                      result -> {
                        if (result instanceof Conversation.ReplyAccepted a) {
                          var accepted =
                              json(
                                  StatusCodes.ACCEPTED,
                                  Map.of(
                                      "messageId",
                                      a.messageId(),
                                      "sequence",
                                      a.sequence(),
                                      "state",
                                      "queued",
                                      "channel",
                                      ch.key()));
                          return a.sequence() < 0
                              ? done(accepted) // a repeated request: written the first time
                              : afterOwnWrite(
                                  reads.ownReply(p, id, a.sequence(), a.messageId(), ch, content),
                                  accepted);
                        }
                        if (result instanceof Conversation.ReplyRefused r) {
                          return done(windowClosed(r));
                        }
                        return done(
                            problem(
                                StatusCodes.UNPROCESSABLE_ENTITY,
                                ((Conversation.ReplyInvalid) result).reason()));
                      });
            });
  }

  private CompletionStage<HttpResponse> messages(Principal p, String id, Map<String, String> q) {
    return summary(p, id)
        .thenCompose(s -> visible(p, s) ? reads.messages(p, id, q) : done(notFound(s, id)));
  }

  private static Channel lastChannel(Conversation.Summary s) {
    return s.lastInboundAt().entrySet().stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  static OutboundContent content(String type, JsonNode b) {
    return switch (type) {
      case "text" -> {
        String text = b.path("text").asText("");
        if (text.isBlank()) {
          throw new IllegalArgumentException("a text reply needs text");
        }
        yield new OutboundContent(
            OutboundContent.Type.TEXT,
            text,
            null,
            null,
            null,
            List.of(),
            b.path("humanAgentTag").asBoolean(false),
            List.of());
      }
      case "media" ->
          new OutboundContent(
              OutboundContent.Type.MEDIA,
              b.path("caption").asText(null),
              required(b, "mediaUrl"),
              null,
              null,
              List.of(),
              false,
              List.of());
      case "template" -> {
        List<String> params = new ArrayList<>();
        b.path("template").path("parameters").forEach(x -> params.add(x.asText()));
        yield OutboundContent.template(
            required(b.path("template"), "name"),
            b.path("template").path("language").asText("en"),
            params);
      }
      case "interactive" -> {
        List<OutboundContent.Button> buttons = new ArrayList<>();
        b.path("buttons")
            .forEach(
                x ->
                    buttons.add(
                        new OutboundContent.Button(required(x, "id"), required(x, "title"))));
        if (buttons.isEmpty()) {
          throw new IllegalArgumentException("an interactive reply needs buttons");
        }
        yield OutboundContent.interactive(b.path("text").asText(""), buttons);
      }
      default ->
          throw new IllegalArgumentException(
              "type must be text, media, template, interactive or note");
    };
  }

  private static String required(JsonNode n, String field) {
    String v = n.path(field).asText("");
    if (v.isBlank()) {
      throw new IllegalArgumentException("missing " + field);
    }
    return v;
  }

  private HttpResponse windowClosed(Conversation.ReplyRefused r) {
    var d = r.decision();
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("reason", d.reason().name().toLowerCase(Locale.ROOT));
    extra.put("closedAt", d.closedAt() == null ? null : d.closedAt().toString());
    extra.put("freeFormUntil", d.freeFormUntil() == null ? null : d.freeFormUntil().toString());
    extra.put("allowedInstead", d.fallback().name().toLowerCase(Locale.ROOT));
    return problem(
        StatusCodes.CONFLICT, "not allowed on this channel now: " + extra.get("reason"), extra);
  }

  private CompletionStage<HttpResponse> action(Principal p, String id, String action, JsonNode b) {
    return summary(p, id)
        .thenCompose(
            s -> {
              if (!visible(p, s)) {
                return done(notFound(s, id));
              }
              String by = p.agentId() != null ? p.agentId() : p.tokenName();
              boolean own = p.agentId() != null && p.agentId().equals(s.assignee());
              var ref = core.conversation(p.workspace(), id);
              Function<StatusReply<Conversation.Summary>, HttpResponse> reply =
                  r ->
                      r.isSuccess()
                          ? ok(ConversationView.of(id, r.getValue()))
                          : problem(StatusCodes.CONFLICT, r.getError().getMessage());
              switch (action) {
                case "assign" -> {
                  String agent = b.path("agent").asText(p.agentId());
                  if (agent == null || !p.mayActAs(agent)) {
                    return done(
                        problem(
                            StatusCodes.FORBIDDEN,
                            "an agent may only take conversations for itself"));
                  }
                  return ref.<StatusReply<Conversation.Summary>>ask(
                          r -> new Conversation.Transfer(null, agent, "assigned by " + by, by, r),
                          timeout)
                      .thenApply(reply);
                }
                case "transfer" -> {
                  if (!p.isSupervisor() && !own) {
                    return done(
                        problem(
                            StatusCodes.FORBIDDEN, "only the assignee or a supervisor transfers"));
                  }
                  String team = b.path("team").asText(null);
                  String agent = b.path("agent").asText(null);
                  String comment = b.path("comment").asText(null);
                  return ref.<StatusReply<Conversation.Summary>>ask(
                          r -> new Conversation.Transfer(team, agent, comment, by, r), timeout)
                      .thenApply(reply);
                }
                default -> {
                  if (!p.isSupervisor() && !own) {
                    return done(
                        problem(
                            StatusCodes.FORBIDDEN,
                            "only the assignee or a supervisor may " + action));
                  }
                  Function<
                          org.apache.pekko.actor.typed.ActorRef<StatusReply<Conversation.Summary>>,
                          Conversation.Command>
                      command;
                  try {
                    command =
                        switch (action) {
                          case "unassign" ->
                              r ->
                                  new Conversation.Unassign(
                                      b.path("reason").asText("unassigned"), by, null, r);
                          case "resolve" -> r -> new Conversation.Resolve(by, r);
                          case "reopen" -> r -> new Conversation.Reopen(by, r);
                          case "pending" -> r -> new Conversation.MarkPending(by, r);
                          case "snooze" -> {
                            Instant until = Instant.parse(required(b, "until"));
                            yield r -> new Conversation.Snooze(until, by, r);
                          }
                          case "priority" ->
                              r ->
                                  new Conversation.SetPriority(b.path("priority").asInt(-1), by, r);
                          case "tags" -> {
                            Set<String> add = new HashSet<>();
                            Set<String> remove = new HashSet<>();
                            b.path("add").forEach(x -> add.add(x.asText()));
                            b.path("remove").forEach(x -> remove.add(x.asText()));
                            yield r -> new Conversation.ChangeTags(add, remove, r);
                          }
                          default -> null;
                        };
                  } catch (RuntimeException e) {
                    return done(
                        problem(StatusCodes.BAD_REQUEST, "bad request body: " + e.getMessage()));
                  }
                  if (command == null) {
                    return done(problem(StatusCodes.NOT_FOUND, "no action " + action));
                  }
                  return ref.<StatusReply<Conversation.Summary>>ask(command::apply, timeout)
                      .thenApply(reply);
                }
              }
            });
  }

  // ---- agents and teams ----

  private CompletionStage<HttpResponse> agent(Principal p, String agent) {
    if (!p.mayActAs(agent)) {
      return done(problem(StatusCodes.FORBIDDEN, "an agent token sees only its own agent"));
    }
    return askAgain(core.agent(p.workspace(), agent), Agent.Get::new).thenApply(InboxRoutes::ok);
  }

  private CompletionStage<HttpResponse> presence(Principal p, String agent, JsonNode b) {
    if (!p.mayActAs(agent)) {
      return done(problem(StatusCodes.FORBIDDEN, "an agent sets only its own presence"));
    }
    Presence presence;
    try {
      presence = Presence.valueOf(b.path("presence").asText("").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return done(problem(StatusCodes.BAD_REQUEST, "presence must be online, away or offline"));
    }
    return this.<Agent.Command, StatusReply<AgentView>>askAgain(
            core.agent(p.workspace(), agent), r -> new Agent.SetPresence(presence, r))
        .thenApply(InboxRoutes::statusReply);
  }

  private CompletionStage<HttpResponse> capacity(Principal p, String agent, JsonNode b) {
    if (!p.mayActAs(agent)) {
      return done(problem(StatusCodes.FORBIDDEN, "an agent sets only its own capacity"));
    }
    int capacity = b.path("capacity").asInt(-1);
    return this.<Agent.Command, StatusReply<AgentView>>askAgain(
            core.agent(p.workspace(), agent), r -> new Agent.SetCapacity(capacity, r))
        .thenApply(InboxRoutes::statusReply);
  }

  private CompletionStage<HttpResponse> deadLetters(Principal p) {
    return core.deadLetters(p.workspace())
        .thenApply(
            letters ->
                ok(Map.of("deadLetters", letters.stream().map(InboxRoutes::deadLetter).toList())));
  }

  private CompletionStage<HttpResponse> refeed(Principal p, String partition, String id) {
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return done(problem(StatusCodes.NOT_FOUND, "no dead letter " + partition + "/" + id));
    }
    return core.refeed(p.workspace(), partition, uuid, timeout)
        .thenApply(
            found ->
                found
                    .map(
                        d -> {
                          LOG.info(
                              "Dead letter {}/{} fed again by token {}",
                              partition,
                              id,
                              p.tokenName());
                          return json(StatusCodes.ACCEPTED, Map.of("refed", deadLetter(d)));
                        })
                    .orElseGet(
                        () ->
                            problem(
                                StatusCodes.NOT_FOUND, "no dead letter " + partition + "/" + id)));
  }

  /** What an operator needs to judge a dead letter: where, when, why, and whose message. */
  private static Map<String, Object> deadLetter(
      io.omnirouter.core.ingest.IngestStore.DeadLetter d) {
    var e = d.entry();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("partition", d.partition());
    m.put("id", d.id().toString());
    m.put("at", d.at());
    m.put("row", d.seq());
    m.put("error", d.error());
    m.put("channel", e.channel().key());
    m.put("account", e.account());
    if (e.message() != null) {
      m.put("kind", "message");
      m.put("providerMessageId", e.message().message().providerMessageId());
      m.put("sender", e.message().message().senderId());
    } else if (e.status() != null) {
      m.put("kind", "status");
      m.put("providerMessageId", e.status().providerMessageId());
      m.put("recipient", e.status().recipient());
    } else {
      m.put("kind", "event");
      m.put("sender", e.event().senderId());
    }
    return m;
  }

  private CompletionStage<HttpResponse> queue(
      Principal p, String team, Map<String, String> params) {
    if (!p.isSupervisor() && !agentTeams(p).contains(team)) {
      return done(problem(StatusCodes.FORBIDDEN, "not a member of team " + team));
    }
    int limit;
    try {
      limit = ReadRoutes.limit(params);
    } catch (IllegalArgumentException e) {
      return done(problem(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    return this.<TeamRouter.Command, TeamRouter.QueueSummary>askAgain(
            core.team(p.workspace(), team), r -> new TeamRouter.GetQueue(limit, r))
        .thenApply(
            q -> {
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("team", q.team());
              body.put("strategy", q.strategy());
              body.put("length", q.length());
              body.put("oldestQueuedAt", q.oldestQueuedAt());
              // being assigned right now (reserved at an agent, offered to the conversation)
              body.put("assignmentsInFlight", q.inFlight());
              body.put(
                  "queue",
                  q.queue().stream()
                      .map(
                          x ->
                              Map.of(
                                  "conversation",
                                  io.omnirouter.core.EntityIds.local(x.conversationId()),
                                  "priority",
                                  x.priority(),
                                  "queuedAt",
                                  x.queuedAt()))
                      .toList());
              body.put("agents", q.agents());
              body.put("agentCounts", q.agentCounts());
              return ok(body);
            });
  }

  // ---- contacts ----

  private CompletionStage<HttpResponse> contact(Principal p, String id) {
    return askAgain(core.contact(p.workspace(), id), Contact.Get::new)
        .thenApply(
            c ->
                c.identities().isEmpty() && c.mergedInto() == null
                    ? problem(StatusCodes.NOT_FOUND, "no contact " + id)
                    : ok(c));
  }

  private CompletionStage<HttpResponse> updateContact(Principal p, String id, JsonNode b) {
    Map<String, String> fields = new LinkedHashMap<>();
    b.path("customFields")
        .fields()
        .forEachRemaining(
            e -> fields.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    String name = b.path("name").asText(null);
    return this.<Contact.Command, StatusReply<Contact.Summary>>askAgain(
            core.contact(p.workspace(), id), r -> new Contact.Update(name, fields, r))
        .thenApply(InboxRoutes::statusReply);
  }

  private CompletionStage<HttpResponse> merge(Principal p, String id, JsonNode b) {
    if (!p.isSupervisor()) {
      return done(problem(StatusCodes.FORBIDDEN, "merging contacts needs a supervisor"));
    }
    String into = b.path("into").asText("");
    if (into.isBlank()) {
      return done(problem(StatusCodes.BAD_REQUEST, "missing into"));
    }
    String by = p.tokenName();
    return core.contact(p.workspace(), id)
        .<StatusReply<Contact.Summary>>ask(r -> new Contact.MergeInto(into, by, r), timeout)
        .thenApply(InboxRoutes::statusReply);
  }

  // ---- responses ----

  private static <T> HttpResponse statusReply(StatusReply<T> r) {
    return r.isSuccess()
        ? ok(r.getValue())
        : problem(StatusCodes.UNPROCESSABLE_ENTITY, r.getError().getMessage());
  }

  static HttpResponse ok(Object body) {
    return json(StatusCodes.OK, body);
  }

  static HttpResponse json(StatusCode status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(
              HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse problem(StatusCode status, String detail) {
    return Problems.response(status, detail);
  }

  static HttpResponse problem(StatusCode status, String detail, Map<String, ?> extra) {
    return Problems.response(status, detail, extra);
  }

  /**
   * Answers once the caller's own write is in the message table; if that write fails the projection
   * still brings the message, so the answer does not change.
   */
  private static CompletionStage<HttpResponse> afterOwnWrite(
      CompletionStage<?> write, HttpResponse response) {
    return write.handle((x, error) -> response);
  }

  static CompletionStage<HttpResponse> done(HttpResponse r) {
    return java.util.concurrent.CompletableFuture.completedFuture(r);
  }
}

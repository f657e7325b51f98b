package io.omnirouter.server.api;

import io.omnirouter.core.readside.LiveEvent;
import io.omnirouter.persistence.readside.ReadSideStore;
import io.omnirouter.server.Problems;
import io.omnirouter.server.live.LiveHub;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * {@code GET /api/v1/workspaces/{ws}/stream}: Server-Sent Events, pushed as conversations store
 * them. An agent gets the events of conversations it has (or just lost); a supervisor or admin the
 * whole workspace. A client that reconnects with {@code Last-Event-ID} (or {@code lastEventId})
 * first gets what it missed — from this node's recent events and the stream table, starting a
 * little before its last id — then the live events; ids repeat across the two only in that overlap,
 * and a client drops repeats by id.
 */
final class StreamRoutes extends AllDirectives {
  private static final int CLIENT_BUFFER = 4096;
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);

  private final ActorSystem<?> system;
  private final ActorRef<LiveHub.Command> hub;
  private final ReadSideStore store;
  private final Duration overlap;
  private final Duration timeout;

  StreamRoutes(
      ActorSystem<?> system,
      ActorRef<LiveHub.Command> hub,
      ReadSideStore store,
      Duration overlap,
      Duration timeout) {
    this.system = system;
    this.hub = hub;
    this.store = store;
    this.overlap = overlap;
    this.timeout = timeout;
  }

  Route stream(Principal p) {
    return get(
        () ->
            optionalHeaderValueByName(
                "Last-Event-ID",
                header ->
                    parameterOptional(
                        "lastEventId",
                        param -> {
                          String last = header.or(() -> param).orElse(null);
                          if (last != null && LiveEvent.timeOf(last) == null) {
                            return complete(
                                Problems.response(
                                    StatusCodes.BAD_REQUEST, "not one of our event ids: " + last));
                          }
                          return completeOK(
                              events(p, last)
                                  .map(StreamRoutes::sse)
                                  .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat),
                              EventStreamMarshalling.toEventStream());
                        })));
  }

  private Source<LiveEvent, NotUsed> events(Principal p, String lastId) {
    Pair<ActorRef<LiveEvent>, Source<LiveEvent, NotUsed>> live =
        ActorSource.<LiveEvent>actorRef(
                e -> false,
                e -> Optional.empty(),
                CLIENT_BUFFER,
                // a client too slow for its buffer is dropped; it reconnects with its last id
                OverflowStrategy.fail())
            .preMaterialize(system);
    hub.tell(
        new LiveHub.Subscribe(p.workspace(), p.isSupervisor() ? null : p.agentId(), live.first()));
    Source<LiveEvent, NotUsed> all = live.second();
    if (lastId != null) {
      // asked after Subscribe: whatever the hub had before it is in the answer, the rest is live
      CompletionStage<List<LiveEvent>> missed = missed(p.workspace(), lastId);
      all =
          Source.completionStage(missed)
              .flatMapConcat(
                  replay -> {
                    Set<String> replayed = new HashSet<>();
                    replay.forEach(e -> replayed.add(e.id()));
                    return Source.from(replay)
                        .concat(live.second().filter(e -> !replayed.contains(e.id())));
                  });
    }
    return all.filter(e -> p.isSupervisor() || e.visibleTo(p.agentId()));
  }

  /** Events after {@code lastId} (minus the overlap), from the hub and the stream table. */
  private CompletionStage<List<LiveEvent>> missed(String workspace, String lastId) {
    Instant last = LiveEvent.timeOf(lastId);
    Instant from = last.minus(overlap);
    String floor = LiveEvent.floor(from);
    CompletionStage<List<LiveEvent>> recent =
        AskPattern.ask(
            hub, r -> new LiveHub.Recent(workspace, floor, r), timeout, system.scheduler());
    return recent.thenCombine(
        store.streamSince(workspace, from),
        (fromHub, fromTable) -> {
          TreeMap<String, LiveEvent> byId = new TreeMap<>();
          fromTable.forEach(e -> byId.put(e.id(), e));
          fromHub.forEach(e -> byId.put(e.id(), e));
          byId.remove(lastId);
          List<LiveEvent> out = new ArrayList<>(byId.values());
          // what the client's own conversation had up to its last id it has seen for sure
          String conversation = LiveEvent.conversationOf(lastId);
          long lastSeq = LiveEvent.sequenceOf(lastId);
          out.removeIf(e -> e.conversationId().equals(conversation) && e.sequenceNr() <= lastSeq);
          return out;
        });
  }

  private static ServerSentEvent sse(LiveEvent e) {
    return ServerSentEvent.create(e.data(), e.type(), e.id());
  }
}

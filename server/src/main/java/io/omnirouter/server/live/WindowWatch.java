package io.omnirouter.server.live;

import io.omnirouter.core.model.Channel;
import io.omnirouter.core.readside.ConversationDigest;
import io.omnirouter.core.readside.LiveEvent;
import io.omnirouter.core.readside.LiveEvents;
import io.omnirouter.core.window.ChannelWindows;
import io.omnirouter.persistence.readside.ReadSideStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;

/**
 * Warns on the live stream ("window.closing") when an open conversation's free-form window closes
 * within {@code omnirouter.read-side.window-warning}. One instance per cluster (a sharded daemon
 * process): every {@code interval} it reads the warnings that came due since its last look (the
 * projection files each window under the time its warning is due, or the time it learns of it if
 * that is later), checks each against the conversation's digest (a later customer message moves the
 * window; a resolved conversation needs no warning), then publishes and stores the warning for
 * resuming clients. Snoozes are filed the same way: one that ends while its conversation is still
 * snoozed is woken ({@link io.omnirouter.core.conversation.Conversation.Wake}) — the conversation's
 * own timer died with its node if that node left (rolling restart, crash) while it slept.
 */
public final class WindowWatch extends AbstractBehavior<WindowWatch.Command> {
  private static final Duration SETTLE = Duration.ofSeconds(2);
  private static final Set<String> OPEN = Set.of("queued", "assigned", "pending", "snoozed");

  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Scanned(Instant upTo, Throwable error) implements Command {}

  public record Settings(Duration interval) {}

  public static Behavior<Command> create(
      Collection<String> workspaces,
      ReadSideStore store,
      ActorRef<LiveHub.Command> hub,
      Consumer<String> wake,
      Settings settings,
      Clock clock) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
                  return new WindowWatch(ctx, workspaces, store, hub, wake, settings, clock);
                }));
  }

  /** Runs the one watch of the cluster, on whichever node sharding puts it. */
  public static void start(
      ActorSystem<?> system,
      Collection<String> workspaces,
      ReadSideStore store,
      ActorRef<LiveHub.Command> localHub,
      Consumer<String> wake) {
    var c = system.settings().config();
    Settings settings = new Settings(c.getDuration("omnirouter.read-side.window-watch-interval"));
    ShardedDaemonProcess.get(system)
        .init(
            Command.class,
            "window-watch",
            1,
            i -> create(workspaces, store, localHub, wake, settings, Clock.systemUTC()));
  }

  private final Collection<String> workspaces;
  private final ReadSideStore store;
  private final ActorRef<LiveHub.Command> hub;
  private final Consumer<String> wake;
  private final Settings settings;
  private final Clock clock;
  private Instant scannedUpTo;
  private boolean scanning;

  private WindowWatch(
      ActorContext<Command> ctx,
      Collection<String> workspaces,
      ReadSideStore store,
      ActorRef<LiveHub.Command> hub,
      Consumer<String> wake,
      Settings settings,
      Clock clock) {
    super(ctx);
    this.workspaces = workspaces;
    this.store = store;
    this.hub = hub;
    this.wake = wake;
    this.settings = settings;
    this.clock = clock;
    // a watch that takes over starts a little in the past, so a handover loses nothing (and may
    // repeat a warning)
    this.scannedUpTo = clock.instant().minus(settings.interval().multipliedBy(2));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Scanned.class, this::onScanned)
        .build();
  }

  private Behavior<Command> onTick() {
    if (!scanning) {
      scanning = true;
      // rows due just now may still be on their way to Cassandra: leave them to the next tick
      Instant upTo = clock.instant().minus(SETTLE);
      getContext()
          .pipeToSelf(
              scan(workspaces, store, hub, wake, clock, scannedUpTo, upTo),
              (done, error) -> new Scanned(upTo, error));
    }
    return this;
  }

  private Behavior<Command> onScanned(Scanned s) {
    scanning = false;
    if (s.error() != null) {
      getContext().getLog().warn("Window watch scan failed; the next tick retries", s.error());
    } else {
      scannedUpTo = s.upTo();
    }
    return this;
  }

  private static CompletionStage<Void> scan(
      Collection<String> workspaces,
      ReadSideStore store,
      ActorRef<LiveHub.Command> hub,
      Consumer<String> wake,
      Clock clock,
      Instant from,
      Instant to) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (String ws : workspaces) {
      all.add(
          store
              .windowWarningsDue(ws, from, to)
              .thenCompose(
                  deadlines -> {
                    List<CompletableFuture<Void>> checks = new ArrayList<>();
                    for (var d : deadlines) {
                      checks.add(
                          store
                              .digest(d.conversationId())
                              .thenCompose(
                                  digest -> {
                                    if (ReadSideStore.SNOOZE_ENDS.equals(d.channel())) {
                                      if (stillSnoozed(digest)) {
                                        wake.accept(d.conversationId());
                                      }
                                      return CompletableFuture.completedFuture(null);
                                    }
                                    return warn(d, digest, store, hub, clock);
                                  })
                              .toCompletableFuture());
                    }
                    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
                  })
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  /**
   * A snooze's end finds its conversation still snoozed (the digest may trail its own wake by a few
   * seconds: a second wake is a no-op).
   */
  static boolean stillSnoozed(Optional<ConversationDigest> digest) {
    return digest.isPresent() && "snoozed".equals(digest.get().status());
  }

  private static CompletionStage<Void> warn(
      ReadSideStore.WindowDeadline d,
      Optional<ConversationDigest> digest,
      ReadSideStore store,
      ActorRef<LiveHub.Command> hub,
      Clock clock) {
    if (digest.isEmpty() || !OPEN.contains(digest.get().status())) {
      return CompletableFuture.completedFuture(null);
    }
    ConversationDigest c = digest.get();
    Instant last = c.lastInboundAt().get(d.channel());
    if (last == null
        || !d.closesAt().equals(ChannelWindows.freeFormUntil(Channel.fromKey(d.channel()), last))) {
      return CompletableFuture.completedFuture(null); // the customer wrote again: a later window
    }
    LiveEvent e =
        LiveEvents.windowClosing(
            d.conversationId(),
            c.lastSequenceNr(),
            d.channel(),
            d.closesAt(),
            c.assignee(),
            clock.instant());
    hub.tell(new LiveHub.Publish(List.of(e)));
    return store.putStreamEvent(e).thenApply(x -> null);
  }
}

package io.omnirouter.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/** Binds the routes; the binding is unbound by CoordinatedShutdown. */
public final class HttpServer {
  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, Route routes, String host, int port) {
    return Http.get(system)
        .newServerAt(host, port)
        .bind(routes)
        .whenComplete(
            (binding, error) -> {
              if (error != null) {
                system.log().error("Could not bind HTTP on {}:{}; stopping", host, port, error);
                system.terminate();
              } else {
                binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
                InetSocketAddress address = binding.localAddress();
                system
                    .log()
                    .info("HTTP on http://{}:{}/", address.getHostString(), address.getPort());
              }
            });
  }
}

package io.omnirouter.persistence.cassandra;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;

/**
 * Main class of a Cassandra forked for tests: runs {@code CassandraDaemon} and exits (cleanly,
 * through Cassandra's shutdown hooks) when standard input closes, i.e. when the JVM that forked it
 * is gone, even if that JVM was killed. Uses only the JDK so it can sit on Cassandra's classpath.
 */
public final class ParentWatchdog {
  private ParentWatchdog() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog =
        new Thread(
            () -> {
              InputStream in = System.in;
              try {
                while (in.read() >= 0) {
                  // the parent never writes; any byte is ignored
                }
              } catch (IOException e) {
                // a broken pipe means the parent is gone, as EOF does
              }
              System.exit(0);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Class<?> daemon = Class.forName("org.apache.cassandra.service.CassandraDaemon");
    Method main = daemon.getMethod("main", String[].class);
    main.invoke(null, (Object) args);
  }
}

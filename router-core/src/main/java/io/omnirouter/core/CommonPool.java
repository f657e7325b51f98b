package io.omnirouter.core;

/**
 * Gives the JDK's common fork-join pool at least two threads; call it first thing in a {@code
 * main}, before anything touches {@code CompletableFuture}.
 *
 * <p>On a 2-core machine the common pool gets one thread, and {@code CompletableFuture} then runs
 * every async callback on a <em>new thread</em>. Pekko's Java API hands out stages converted from
 * Scala futures, whose {@code thenApply}/{@code thenCompose} are async — so every webhook started
 * several threads (thread dumps under load: {@code CompletableFuture$ThreadPerTaskExecutor} in the
 * webhook route, thousands of {@code Thread-N}; docs/BENCHMARKS.md, fifth session).
 */
public final class CommonPool {
  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private CommonPool() {}

  /** Sets the common pool's parallelism to max(2, cores) unless it was set on the command line. */
  public static void atLeastTwoThreads() {
    if (System.getProperty(PARALLELISM) == null) {
      System.setProperty(
          PARALLELISM, Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
    }
  }
}

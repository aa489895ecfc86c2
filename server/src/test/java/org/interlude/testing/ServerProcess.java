package org.interlude.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A server node in its own JVM process, for tests that need real signals (SIGTERM, kill -9,
 * SIGSTOP). Output is captured line by line so tests can wait for, and assert on, what the node
 * printed.
 */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch ready = new CountDownLatch(1);

  private ServerProcess(Process process) {
    this.process = process;
    Thread t = new Thread(() -> pump(), "server-process-output");
    t.setDaemon(true);
    t.start();
  }

  public static ServerProcess start(Map<String, String> env, String... args) {
    return start(List.of(), env, args);
  }

  /**
   * Starts a node behind a command prefix (e.g. {@code ip netns exec NS}, which replaces itself
   * with the JVM, so {@link #pid} and signals still reach the node).
   */
  public static ServerProcess start(List<String> prefix, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    // As scripts/lib/prereqs.sh gives every node (INTERLUDE_JVM_DEFAULTS).
    cmd.add("-XX:-DontCompileHugeMethods");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.interlude.app.Main");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("INTERLUDE_"));
    pb.environment().putAll(env);
    try {
      return new ServerProcess(pb.start());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start server process", e);
    }
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        if (line.startsWith("Interlude is ready at ")) {
          ready.countDown();
        }
      }
    } catch (IOException ignored) {
      // The process ended; what it printed is kept.
    }
  }

  /** Waits until the node printed its ready line; fails with its output otherwise. */
  public ServerProcess awaitReady(Duration timeout) throws InterruptedException {
    if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("server process not ready within " + timeout + "; output:\n" + output());
    }
    return this;
  }

  public long pid() {
    return process.pid();
  }

  public void signal(String signal) {
    try {
      new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for exit; returns the exit code, or fails with the output. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("server process did not exit within " + timeout + "; output:\n" + output());
    }
    return process.exitValue();
  }

  public String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

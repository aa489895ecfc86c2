package org.interlude.cluster.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One network namespace per node, joined by a bridge in the host's namespace, so the network
 * between nodes can be cut while each node still reaches PostgreSQL and the balancer (which stay
 * in the host namespace, on the bridge's address). Node {@code i} has address
 * {@code 10.231.<s>.<10+i>}, the host {@code 10.231.<s>.1}; names carry a random tag, so
 * concurrent runs on one machine never share a namespace, bridge or subnet.
 *
 * <p>A partition is a blackhole route in each namespace towards every node of the other side:
 * packets between the sides are dropped, as with a cut cable or a dead switch port, while the
 * host is still reached. Needs root with {@code CAP_NET_ADMIN} ({@link #available}).
 */
final class Netns implements AutoCloseable {
  private final String tag;
  private final int subnet;
  private final int nodes;
  private final List<String> partitions = new ArrayList<>();

  private Netns(String tag, int subnet, int nodes) {
    this.tag = tag;
    this.subnet = subnet;
    this.nodes = nodes;
  }

  /** Null when namespaces and veth pairs can be made here, else why not. */
  static String unavailableBecause() {
    String probe = "ilp" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    try {
      Result added = exec("ip", "netns", "add", probe);
      if (added.code() != 0) {
        return "'ip netns add' failed: " + added.out().trim();
      }
      Result veth = exec("ip", "netns", "exec", probe, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1");
      exec("ip", "netns", "del", probe);
      return veth.code() == 0 ? null : "'ip link add … type veth' failed: " + veth.out().trim();
    } catch (IOException | InterruptedException e) {
      return "cannot run ip: " + e.getMessage();
    }
  }

  static Netns create(int nodes) throws Exception {
    String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    int subnet = freeSubnet();
    Netns n = new Netns(tag, subnet, nodes);
    try {
      run("ip", "link", "add", n.bridge(), "type", "bridge");
      run("ip", "addr", "add", n.hostAddress() + "/24", "dev", n.bridge());
      run("ip", "link", "set", n.bridge(), "up");
      for (int i = 1; i <= nodes; i++) {
        String ns = n.namespace(i);
        run("ip", "netns", "add", ns);
        run("ip", "link", "add", "il" + tag + "v" + i, "type", "veth", "peer", "name", "il" + tag + "p" + i);
        run("ip", "link", "set", "il" + tag + "p" + i, "netns", ns);
        run("ip", "link", "set", "il" + tag + "v" + i, "master", n.bridge(), "up");
        run("ip", "netns", "exec", ns, "ip", "link", "set", "il" + tag + "p" + i, "name", "eth0");
        run("ip", "netns", "exec", ns, "ip", "addr", "add", n.address(i) + "/24", "dev", "eth0");
        run("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
      }
      return n;
    } catch (Exception e) {
      n.close();
      throw e;
    }
  }

  private static int freeSubnet() throws Exception {
    String used = run("ip", "-o", "addr");
    for (int attempt = 0; attempt < 100; attempt++) {
      int s = ThreadLocalRandom.current().nextInt(0, 256);
      if (!used.contains("10.231." + s + ".")) {
        return s;
      }
    }
    throw new IllegalStateException("no free 10.231.x.0/24 subnet");
  }

  String bridge() {
    return "il" + tag + "b";
  }

  String namespace(int i) {
    return "il" + tag + "n" + i;
  }

  String address(int i) {
    return "10.231." + subnet + "." + (10 + i);
  }

  /** The host's address on the bridge: where nodes reach PostgreSQL (through the balancer). */
  String hostAddress() {
    return "10.231." + subnet + ".1";
  }

  /** The command prefix that runs a process in node {@code i}'s namespace. */
  List<String> prefix(int i) {
    return List.of("ip", "netns", "exec", namespace(i));
  }

  /** Cuts every node of {@code a} off from every node of {@code b} (both directions). */
  void partition(List<Integer> a, List<Integer> b) throws Exception {
    for (int i : a) {
      for (int j : b) {
        route("add", i, j);
        route("add", j, i);
      }
    }
  }

  /** Removes every partition. */
  void heal() throws Exception {
    for (String p : new ArrayList<>(partitions)) {
      String[] ij = p.split(">");
      run("ip", "netns", "exec", namespace(Integer.parseInt(ij[0])), "ip", "route", "del", "blackhole",
          address(Integer.parseInt(ij[1])) + "/32");
      partitions.remove(p);
    }
  }

  private void route(String op, int from, int to) throws Exception {
    run("ip", "netns", "exec", namespace(from), "ip", "route", op, "blackhole", address(to) + "/32");
    partitions.add(from + ">" + to);
  }

  @Override
  public void close() {
    for (int i = 1; i <= nodes; i++) {
      try {
        // The pair goes with either end; a namespace can outlive its name for a while (sockets
        // still closing in it), so the host's end is removed explicitly.
        exec("ip", "link", "del", "il" + tag + "v" + i);
        exec("ip", "netns", "del", namespace(i));
      } catch (Exception ignored) {
        // Best effort.
      }
    }
    try {
      exec("ip", "link", "del", bridge());
    } catch (Exception ignored) {
      // Best effort.
    }
  }

  /** A finished command: exit status and output (stdout and stderr). */
  record Result(int code, String out) {}

  static Result exec(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish");
    }
    return new Result(p.exitValue(), out);
  }

  /** Runs a command that must succeed; returns its output. */
  static String run(String... cmd) throws IOException, InterruptedException {
    Result r = exec(cmd);
    if (r.code() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (" + r.code() + "): " + r.out().trim());
    }
    return r.out();
  }
}

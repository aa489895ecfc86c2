package org.interlude.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Process CPU (utime+stime from /proc/PID/stat), RSS (/proc/PID/status) and JVM heap (jcmd). */
final class ProcStats {
  static final long CLK_TCK = 100; // USER_HZ on Linux x86-64

  private ProcStats() {}

  /** utime+stime in clock ticks, or 0 if the process is gone. */
  static long cpuTicks(long pid) {
    try {
      String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of the full line
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static long cpuTicks(List<Long> pids) {
    long sum = 0;
    for (long p : pids) {
      sum += cpuTicks(p);
    }
    return sum;
  }

  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  static long rssBytes(List<Long> pids) {
    long sum = 0;
    for (long p : pids) {
      long r = rssBytes(p);
      if (r > 0) {
        sum += r;
      }
    }
    return sum;
  }

  /** The postmaster started with -D dataDir and all its children (backends, walwriter…). */
  static List<Long> postgresTree(String dataDir) {
    List<Long> out = new ArrayList<>();
    long master = -1;
    List<long[]> all = new ArrayList<>();
    try (Stream<Path> ps = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) ps::iterator) {
        String n = p.getFileName().toString();
        if (!n.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
          String stat = Files.readString(p.resolve("stat"));
          long ppid = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
          long pid = Long.parseLong(n);
          all.add(new long[] {pid, ppid});
          if (cmd.contains("postgres") && cmd.contains("-D " + dataDir + " ")) {
            master = pid;
          }
        } catch (IOException | RuntimeException e) {
          // process ended meanwhile
        }
      }
    } catch (IOException e) {
      return out;
    }
    if (master > 0) {
      out.add(master);
      for (long[] pp : all) {
        if (pp[1] == master) {
          out.add(pp[0]);
        }
      }
    }
    return out;
  }

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  static void gc(long pid) {
    run("jcmd", String.valueOf(pid), "GC.run");
  }

  /** Heap in use after the last collection, from jcmd GC.heap_info. */
  static long jcmdHeapUsed(long pid) {
    String out = run("jcmd", String.valueOf(pid), "GC.heap_info");
    Matcher m = USED.matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      return out;
    } catch (Exception e) {
      return "";
    }
  }
}

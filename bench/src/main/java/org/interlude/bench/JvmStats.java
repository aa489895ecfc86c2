package org.interlude.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Garbage collection counts and times and the heap of a target JVM, for the results file.
 *
 * <p>Contract: {@link #sample} never fails; it answers null when the process is not a JVM or its
 * counters cannot be read. The counters come from the JVM's hsperfdata file
 * ({@code <tmpdir>/hsperfdata_<user>/<pid>}, what jstat reads), so sampling costs the target
 * nothing and can run inside a measurement; Interlude's {@code /metrics} has no JVM meters. When
 * the file is missing (-XX:-UsePerfData, another tmpdir) the same counters are taken from
 * {@code jcmd PerfCounter.print}, which does cost a JVM start on this machine. The heap limit
 * comes from {@code jcmd VM.flags} ({@link #maxHeapBytes}), once per target.
 */
final class JvmStats {
  private static final int MAGIC = 0xcafec0c0;
  private static final Pattern COUNTER = Pattern.compile("^(sun\\.gc\\.[\\w.]+|sun\\.os\\.hrt\\.frequency)=(.*)$",
      Pattern.MULTILINE);
  private static final Pattern MAX_HEAP = Pattern.compile("-XX:MaxHeapSize=(\\d+)");

  private JvmStats() {}

  /**
   * {@code {collections, gcMillis, collectors:{name:{collections, gcMillis}}, heapUsedBytes,
   * heapCommittedBytes}} at this instant, or null.
   */
  static JsonObject sample(long pid) {
    Map<String, Object> c = counters(pid);
    if (c == null || !(c.get("sun.os.hrt.frequency") instanceof Long freq) || freq <= 0) {
      return null;
    }
    JsonObject collectors = new JsonObject();
    long count = 0;
    double millis = 0;
    for (int i = 0; c.containsKey("sun.gc.collector." + i + ".invocations"); i++) {
      long n = (Long) c.get("sun.gc.collector." + i + ".invocations");
      double ms = ((Long) c.get("sun.gc.collector." + i + ".time")) * 1000.0 / freq;
      Object name = c.getOrDefault("sun.gc.collector." + i + ".name", "collector " + i);
      collectors.put(String.valueOf(name), new JsonObject().put("collections", n).put("gcMillis", round(ms)));
      count += n;
      millis += ms;
    }
    long used = 0;
    long committed = 0;
    for (int g = 0; c.containsKey("sun.gc.generation." + g + ".capacity"); g++) {
      committed += (Long) c.get("sun.gc.generation." + g + ".capacity");
      for (int s = 0; c.containsKey("sun.gc.generation." + g + ".space." + s + ".used"); s++) {
        used += (Long) c.get("sun.gc.generation." + g + ".space." + s + ".used");
      }
    }
    return new JsonObject().put("collections", count).put("gcMillis", round(millis)).put("collectors", collectors)
        .put("heapUsedBytes", used).put("heapCommittedBytes", committed);
  }

  /** GC collections and time between two samples: {@code {collections, gcMillis}}, or null. */
  static JsonObject delta(JsonObject before, JsonObject after) {
    if (before == null || after == null) {
      return null;
    }
    return new JsonObject().put("collections", after.getLong("collections") - before.getLong("collections"))
        .put("gcMillis", round(after.getDouble("gcMillis") - before.getDouble("gcMillis")));
  }

  /** The JVM's heap limit (-Xmx or its default) in bytes, or -1. */
  static long maxHeapBytes(long pid) {
    Matcher m = MAX_HEAP.matcher(ProcStats.run("jcmd", String.valueOf(pid), "VM.flags"));
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static double round(double ms) {
    return Math.round(ms * 10) / 10.0;
  }

  /** Counter name → Long or String, from hsperfdata or else jcmd; null when neither answers. */
  static Map<String, Object> counters(long pid) {
    Path file = Path.of(System.getProperty("java.io.tmpdir"), "hsperfdata_" + System.getProperty("user.name"),
        String.valueOf(pid));
    try {
      if (Files.isReadable(file)) {
        Map<String, Object> m = parse(Files.readAllBytes(file));
        if (m != null) {
          return m;
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process ended or the file changed shape: ask jcmd
    }
    String out = ProcStats.run("jcmd", String.valueOf(pid), "PerfCounter.print");
    Map<String, Object> m = new TreeMap<>();
    Matcher x = COUNTER.matcher(out);
    while (x.find()) {
      String v = x.group(2).trim();
      if (v.startsWith("\"")) {
        m.put(x.group(1), v.replace("\"", ""));
      } else {
        try {
          m.put(x.group(1), Long.parseLong(v));
        } catch (NumberFormatException e) {
          // not a counter we read
        }
      }
    }
    return m.isEmpty() ? null : m;
  }

  /**
   * Parses the hsperfdata layout (HotSpot's perfMemory: a prologue then self-describing entries),
   * keeping 64-bit counters ('J') and strings (byte vectors, 'B').
   */
  static Map<String, Object> parse(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (b.order(ByteOrder.BIG_ENDIAN).getInt(0) != MAGIC) {
      return null;
    }
    b.order(bytes[4] == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    int pos = b.getInt(24);
    int entries = b.getInt(28);
    Map<String, Object> out = new HashMap<>();
    for (int i = 0; i < entries && pos + 20 <= bytes.length; i++) {
      int length = b.getInt(pos);
      int nameAt = pos + b.getInt(pos + 4);
      int vector = b.getInt(pos + 8);
      byte type = b.get(pos + 12);
      int dataAt = pos + b.getInt(pos + 16);
      if (length <= 0) {
        break;
      }
      String name = cString(bytes, nameAt, bytes.length);
      if (type == 'J' && vector == 0) {
        out.put(name, b.getLong(dataAt));
      } else if (type == 'B' && vector > 0) {
        out.put(name, cString(bytes, dataAt, Math.min(bytes.length, dataAt + vector)));
      }
      pos += length;
    }
    return out;
  }

  private static String cString(byte[] bytes, int from, int limit) {
    int end = from;
    while (end < limit && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, from, end - from, StandardCharsets.US_ASCII);
  }
}

package org.interlude.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Counters and latency histograms (microseconds) of one scenario run against one target. */
final class Stats {
  final LongAdder errors = new LongAdder();
  final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
  volatile boolean expectingCloses;

  static Histogram histogram() {
    return new ConcurrentHistogram(120_000_000L, 3);
  }

  void count(String what) {
    counts.computeIfAbsent(what, k -> new LongAdder()).increment();
  }

  Map<String, Long> countsSnapshot() {
    Map<String, Long> m = new TreeMap<>();
    counts.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  static void record(Histogram h, long micros) {
    h.recordValue(Math.max(0, Math.min(micros, h.getHighestTrackableValue())));
  }
}

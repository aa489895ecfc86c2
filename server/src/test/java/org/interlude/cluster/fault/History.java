package org.interlude.cluster.fault;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The history checker: every send, acknowledgement and receipt of a chat load run, and the
 * verdict against what PostgreSQL committed.
 *
 * <p>Each user keeps a <em>view</em> per conversation, the model a chat client shows: messages by
 * {@code seq}, filled from acks (own messages), live {@code chat.message} frames and
 * {@code chat.sync} answers. The view applies the client's rule: a frame whose {@code seq} is
 * already held (in particular any {@code seq} at or below the last contiguous one seen) is a
 * redelivery, not a new message; a {@code clientMsgId} held under a second {@code seq} would be a
 * duplicate shown to the user. After the run each view must equal the database's conversation
 * from where the user started: nothing acknowledged missing, no gap, nothing twice.
 *
 * <p>All methods are thread-safe (the load's clients run on several event loops).
 */
final class History {
  /**
   * How a message reached a view: own ack, live frame, the sync after a reconnect, or an audit
   * sync on a socket that stayed open (then it had never been delivered live).
   */
  enum Via { ACK, LIVE, SYNC, FINAL }

  /** One sent message. */
  static final class Sent {
    final UUID clientMsgId;
    final UUID conversationId;
    final String sender;
    final long enqueuedNanos;
    int attempts;
    Long seq;
    long ackNanos;
    long ackWallMillis;

    Sent(UUID clientMsgId, UUID conversationId, String sender, long enqueuedNanos) {
      this.clientMsgId = clientMsgId;
      this.conversationId = conversationId;
      this.sender = sender;
      this.enqueuedNanos = enqueuedNanos;
    }
  }

  /** What one user's client shows for one conversation. */
  static final class View {
    final String user;
    final UUID conversationId;
    /** The conversation's last seq when the user joined the run: the view covers what follows. */
    final long startSeq;
    final TreeMap<Long, UUID> bySeq = new TreeMap<>();
    final Map<UUID, Long> seqOf = new HashMap<>();
    long contiguous;

    View(String user, UUID conversationId, long startSeq) {
      this.user = user;
      this.conversationId = conversationId;
      this.startSeq = startSeq;
      this.contiguous = startSeq;
    }

    synchronized long contiguous() {
      return contiguous;
    }

    synchronized long max() {
      return bySeq.isEmpty() ? startSeq : Math.max(startSeq, bySeq.lastKey());
    }

    /** Seqs missing below the highest held: what a client resuming from its highest seq never fetches. */
    synchronized int holes() {
      long max = max();
      int n = 0;
      for (long s = contiguous + 1; s < max; s++) {
        if (!bySeq.containsKey(s)) {
          n++;
        }
      }
      return n;
    }
  }

  private final Map<UUID, Sent> sent = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Map<String, View> views = Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  /** Messages a connected user got only from an audit sync: sender, receiver, seq, ack time. */
  final List<String> missedSamples = Collections.synchronizedList(new ArrayList<>());
  /** Reconnect times (close to synced) by the phase of the run in which the socket closed. */
  private final Map<String, List<Long>> reconnectMillis = Collections.synchronizedMap(new LinkedHashMap<>());
  private volatile String phase = "steady";
  private final List<long[]> slowest = new ArrayList<>();
  private final Map<Via, Integer> arrivals = Collections.synchronizedMap(new HashMap<>());
  private int redelivered;
  private int duplicatesShown;
  private int foundOnlyByFinalSync;
  private int ackedTwiceDifferently;
  private int closes;
  private int resyncHoles;
  private int failedSends;
  private int gapRepairs;

  View view(String user, UUID conversationId, long startSeq) {
    return views.computeIfAbsent(user + "/" + conversationId, k -> new View(user, conversationId, startSeq));
  }

  Sent enqueued(UUID clientMsgId, UUID conversationId, String sender) {
    Sent s = new Sent(clientMsgId, conversationId, sender, System.nanoTime());
    sent.put(clientMsgId, s);
    return s;
  }

  void attempt(Sent s) {
    synchronized (s) {
      s.attempts++;
    }
  }

  /** An ack (or the own message returned by a sync) for a sent message. */
  void acked(UUID clientMsgId, long seq) {
    Sent s = sent.get(clientMsgId);
    if (s == null) {
      problem("ack for a message never sent: " + clientMsgId);
      return;
    }
    synchronized (s) {
      if (s.seq == null) {
        s.seq = seq;
        s.ackNanos = System.nanoTime();
        s.ackWallMillis = System.currentTimeMillis();
      } else if (s.seq != seq) {
        synchronized (this) {
          ackedTwiceDifferently++;
        }
        problem("message " + clientMsgId + " acknowledged as seq " + s.seq + " and as seq " + seq);
      }
    }
  }

  void failed(UUID clientMsgId, String code) {
    synchronized (this) {
      failedSends++;
    }
    problem("chat.send " + clientMsgId + " refused: " + code);
  }

  /** A message arrived in a view; applies the client's de-duplication rule. */
  void arrived(View v, long seq, UUID clientMsgId, Via via, boolean fromOther) {
    arrivals.merge(via, 1, Integer::sum);
    synchronized (v) {
      if (seq <= v.startSeq) {
        return;
      }
      UUID held = v.bySeq.get(seq);
      if (held != null) {
        if (!held.equals(clientMsgId)) {
          problem(v.user + " got seq " + seq + " as " + clientMsgId + " but holds it as " + held);
        }
        if (fromOther) {
          synchronized (this) {
            redelivered++;
          }
        }
        return;
      }
      Long other = clientMsgId == null ? null : v.seqOf.get(clientMsgId);
      if (other != null) {
        synchronized (this) {
          duplicatesShown++;
        }
        problem(v.user + " shows message " + clientMsgId + " twice: seq " + other + " and seq " + seq);
      }
      v.bySeq.put(seq, clientMsgId);
      if (clientMsgId != null) {
        v.seqOf.put(clientMsgId, seq);
      }
      while (v.bySeq.containsKey(v.contiguous + 1)) {
        v.contiguous++;
      }
      if (via == Via.FINAL) {
        synchronized (this) {
          foundOnlyByFinalSync++;
        }
        Sent sentAs = clientMsgId == null ? null : sent.get(clientMsgId);
        if (sentAs != null && missedSamples.size() < 10_000) {
          missedSamples.add(sentAs.sender + "->" + v.user + " seq " + seq + " acked "
              + (sentAs.ackWallMillis == 0 ? "?" : String.valueOf(sentAs.ackWallMillis)));
        }
      }
    }
  }

  /** A sync starts: a client resuming after its highest seq instead would leave these holes. */
  void resync(View v) {
    int h = v.holes();
    if (h > 0) {
      synchronized (this) {
        resyncHoles += h;
      }
    }
  }

  synchronized void gapRepair() {
    gapRepairs++;
  }

  synchronized void closed() {
    closes++;
  }

  /** Names what happens from now on (e.g. the fault, a rebalance), to split reconnect times by it. */
  void phase(String name) {
    phase = name;
  }

  String phase() {
    return phase;
  }

  void reconnected(String closedIn, long millis) {
    reconnectMillis.computeIfAbsent(closedIn, k -> Collections.synchronizedList(new ArrayList<>())).add(millis);
    long now = System.currentTimeMillis();
    synchronized (slowest) {
      slowest.add(new long[] {millis, now - millis});
      slowest.sort((x, y) -> Long.compare(y[0], x[0]));
      if (slowest.size() > 5) {
        slowest.remove(5);
      }
    }
  }

  /** The slowest reconnects: "duration ms (closed at epoch ms)", for the log. */
  String slowestReconnects() {
    synchronized (slowest) {
      StringBuilder sb = new StringBuilder();
      for (long[] r : slowest) {
        sb.append(sb.length() == 0 ? "" : ", ").append(r[0]).append(" ms (closed at ").append(r[1]).append(')');
      }
      return sb.toString();
    }
  }

  void problem(String p) {
    if (problems.size() < 200) {
      problems.add(p);
    }
  }

  /** The verdict of one run. */
  record Verdict(int sent, int acked, int unacked, int lostAcked, int gaps, int duplicatesShown, int duplicateRows,
      int redelivered, int foundOnlyByFinalSync, int resyncHoles, int closes, int reconnects, long reconnectP50,
      long reconnectP99, long reconnectMax, long ackP50, long ackP99, long ackMax, int failedSends, int gapRepairs,
      Map<String, long[]> reconnectsByPhase, List<String> problems) {

    /** Reconnects that began in {@code phase}: {count, p50, p99, max} in ms; zeros when none. */
    long[] phase(String phase) {
      return reconnectsByPhase.getOrDefault(phase, new long[4]);
    }

    String byPhase() {
      return byPhaseText(reconnectsByPhase);
    }

    boolean clean() {
      return unacked == 0 && lostAcked == 0 && gaps == 0 && duplicatesShown == 0 && duplicateRows == 0
          && failedSends == 0 && problems.isEmpty();
    }

    String summary() {
      return String.format("sent=%d acked=%d unacked=%d lostAcked=%d gaps=%d duplicatesShown=%d duplicateRows=%d"
              + " redelivered=%d missedLive=%d resyncHoles=%d closes=%d reconnects=%d"
              + " reconnectMs(p50/p99/max)=%d/%d/%d ackMs(p50/p99/max)=%d/%d/%d failedSends=%d gapRepairs=%d",
          sent, acked, unacked, lostAcked, gaps, duplicatesShown, duplicateRows, redelivered, foundOnlyByFinalSync,
          resyncHoles, closes, reconnects, reconnectP50, reconnectP99, reconnectMax, ackP50, ackP99, ackMax,
          failedSends, gapRepairs)
          + byPhase()
          + (problems.isEmpty() ? "" : "\nproblems (first " + Math.min(20, problems.size()) + "):\n  "
              + String.join("\n  ", problems.subList(0, Math.min(20, problems.size()))));
    }
  }

  private static String byPhaseText(Map<String, long[]> m) {
    StringBuilder sb = new StringBuilder();
    m.forEach((k, v) -> sb.append(" [").append(k).append(": ").append(v[0]).append(" reconnects, ms p50/p99/max ")
        .append(v[1]).append('/').append(v[2]).append('/').append(v[3]).append(']'));
    return sb.toString();
  }

  /**
   * Compares every view and every sent message with the committed conversations: each view must
   * hold exactly the database's messages after its start (same seq, same clientMsgId), each sent
   * message must be committed once and acknowledged with its committed seq.
   */
  Verdict verify(Connection db) throws SQLException {
    Map<UUID, TreeMap<Long, UUID>> committed = new HashMap<>();
    Map<UUID, Long> committedSeqOf = new HashMap<>();
    int duplicateRows = 0;
    List<String> found = new ArrayList<>();
    List<View> all;
    synchronized (views) {
      all = new ArrayList<>(views.values());
    }
    for (View v : all) {
      if (committed.containsKey(v.conversationId)) {
        continue;
      }
      TreeMap<Long, UUID> rows = new TreeMap<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT seq, client_msg_id FROM message WHERE conversation_id = ? ORDER BY seq")) {
        ps.setObject(1, v.conversationId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.put(rs.getLong(1), (UUID) rs.getObject(2));
          }
        }
      }
      committed.put(v.conversationId, rows);
      Map<UUID, Long> once = new HashMap<>();
      long expect = rows.isEmpty() ? 0 : rows.firstKey();
      for (var e : rows.entrySet()) {
        if (e.getKey() != expect) {
          found.add("conversation " + v.conversationId + " has no seq " + expect + " in the database");
          expect = e.getKey();
        }
        expect++;
        committedSeqOf.putIfAbsent(e.getValue(), e.getKey());
        Long prev = once.put(e.getValue(), e.getKey());
        if (prev != null) {
          duplicateRows++;
          found.add("conversation " + v.conversationId + " stores message " + e.getValue() + " at seq " + prev
              + " and " + e.getKey());
        }
      }
    }
    int gaps = 0;
    int lostAcked = 0;
    Map<UUID, Sent> byId;
    synchronized (sent) {
      byId = new HashMap<>(sent);
    }
    for (View v : all) {
      TreeMap<Long, UUID> rows = committed.get(v.conversationId);
      synchronized (v) {
        for (var e : rows.tailMap(v.startSeq, false).entrySet()) {
          UUID held = v.bySeq.get(e.getKey());
          if (held == null) {
            gaps++;
            Sent s = byId.get(e.getValue());
            if (s != null && s.seq != null) {
              lostAcked++;
              found.add(v.user + " never shows acknowledged message " + e.getValue() + " (seq " + e.getKey() + ")");
            } else {
              found.add(v.user + " never shows committed seq " + e.getKey());
            }
          } else if (!held.equals(e.getValue())) {
            found.add(v.user + " shows seq " + e.getKey() + " as " + held + ", committed as " + e.getValue());
          }
        }
        for (long seq : v.bySeq.keySet()) {
          if (!rows.containsKey(seq)) {
            found.add(v.user + " shows seq " + seq + " which was never committed");
          }
        }
      }
    }
    int acked = 0;
    int unacked = 0;
    List<Long> ackMs = new ArrayList<>();
    for (Sent s : byId.values()) {
      Long committedSeq = committedSeqOf.get(s.clientMsgId);
      synchronized (s) {
        if (s.seq == null) {
          unacked++;
          found.add("message " + s.clientMsgId + " from " + s.sender + " never acknowledged (attempts " + s.attempts
              + (committedSeq == null ? ", not committed)" : ", committed as seq " + committedSeq + ")"));
          continue;
        }
        acked++;
        ackMs.add((s.ackNanos - s.enqueuedNanos) / 1_000_000);
        if (committedSeq == null) {
          lostAcked++;
          found.add("acknowledged message " + s.clientMsgId + " (seq " + s.seq + ") is not in the database");
        } else if (committedSeq.longValue() != s.seq) {
          found.add("message " + s.clientMsgId + " acknowledged as seq " + s.seq + ", committed as " + committedSeq);
        }
      }
    }
    List<String> allProblems = new ArrayList<>(problems);
    allProblems.addAll(found);
    List<Long> rec = new ArrayList<>();
    Map<String, long[]> perPhase = new LinkedHashMap<>();
    synchronized (reconnectMillis) {
      reconnectMillis.forEach((k, list) -> {
        List<Long> sorted;
        synchronized (list) {
          sorted = new ArrayList<>(list);
        }
        Collections.sort(sorted);
        rec.addAll(sorted);
        perPhase.put(k, new long[] {sorted.size(), pct(sorted, 50), pct(sorted, 99), pct(sorted, 100)});
      });
    }
    Collections.sort(rec);
    Collections.sort(ackMs);
    synchronized (this) {
      return new Verdict(byId.size(), acked, unacked, lostAcked, gaps, duplicatesShown, duplicateRows, redelivered,
          foundOnlyByFinalSync, resyncHoles, closes, rec.size(), pct(rec, 50), pct(rec, 99), pct(rec, 100),
          pct(ackMs, 50), pct(ackMs, 99), pct(ackMs, 100), failedSends, gapRepairs, perPhase, allProblems);
    }
  }

  /** Nearest-rank percentile; 0 for no samples. */
  static long pct(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}

package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.interlude.checkin.instrument.AnswerProblem;
import org.interlude.checkin.instrument.InvalidAnswersException;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.interlude.identity.Role;
import org.interlude.storage.PgErrors;
import org.interlude.web.Frames;
import org.interlude.web.Socket;
import org.interlude.web.SocketHub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check-in frames on the shared WebSocket.
 *
 * <ul>
 *   <li>{@code checkin.prompt} (server → client), one frame per instrument of a due plan step:
 *       loaded from PostgreSQL for the client's own sockets when a nudge of kind
 *       {@code checkin.prompt} names the prompt ids (comma-separated), and for every open prompt
 *       (due, not answered, not expired or withdrawn) right after {@code hello}, so a prompt that
 *       fell due while the client was offline is waiting when they connect. Clients de-duplicate
 *       by {@code promptId}: a prompt may be pushed again (reminder, reconnect, takeover).
 *   <li>{@code checkin.submit} (client → server): answered, after the commit and the risk report,
 *       with {@code checkin.accepted}; invalid answers with one {@code error} frame of code
 *       {@code invalid_answers} listing every problem.
 *   <li>{@code checkin.result} (server → care team): a nudge of kind {@code checkin.result} with the
 *       result id; each staff socket gets the frame only if that staff member may see the client.
 * </ul>
 *
 * <p>When a prompt frame is built for an open client socket its {@code first_sent_at} is recorded
 * (batched), so the clinic can tell what each client was actually sent and when.
 */
final class PromptFrames {
  private static final Logger log = LoggerFactory.getLogger(PromptFrames.class);
  static final String RESULT_KIND = "checkin.result";
  private static final int MAX_ON_CONNECT = 200;
  private static final int LOOKUP_BATCH = 2000;

  private final Deps d;
  private final Checkins checkins;
  private final Scheduler.Nudger nudger;
  private final ConcurrentLinkedQueue<UUID> sent = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Lookup> lookups = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean lookupScheduled = new AtomicBoolean();
  private final Vertx vertx;
  private long flushTimer = -1;

  PromptFrames(Vertx vertx, Deps deps, Checkins checkins, Scheduler.Nudger nudger) {
    this.vertx = vertx;
    this.d = deps;
    this.checkins = checkins;
    this.nudger = nudger;
  }

  /** Registers the nudge sources, the connect hook and the submit handler. */
  void install(SocketHub hub, Frames frames) {
    hub.registerSource(Scheduler.PROMPT_KIND, (socket, objectId) -> promptFrames(socket, parseIds(objectId)));
    hub.registerSource(RESULT_KIND, (socket, objectId) -> {
      UUID id = parseId(objectId);
      return id == null ? Future.succeededFuture(List.of()) : checkins.resultFrame(socket.actor(), id);
    });
    hub.onConnect(socket -> promptFrames(socket, null));
    frames.register("checkin.submit", EnumSet.of(Role.CLIENT), this::submit);
    flushTimer = vertx.setPeriodic(250, t -> flushSent());
  }

  Future<Void> stop() {
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
    }
    return flushSent();
  }

  /**
   * The open prompts of the socket's user among {@code ids} (null: all open ones) as frames; none
   * for staff sockets or prompts of anyone else.
   */
  Future<List<JsonObject>> promptFrames(Socket socket, List<UUID> ids) {
    if (!socket.actor().isClient() || (ids != null && ids.isEmpty())) {
      return Future.succeededFuture(List.of());
    }
    Future<List<JsonObject>> loaded = ids == null ? openPrompts(socket.actor().userId()) : lookup(socket.actor().userId(), ids);
    return loaded.map(frames -> {
      if (socket.isOpen()) {
        for (JsonObject f : frames) {
          sent.add(UUID.fromString(f.getString("promptId")));
        }
      }
      return frames;
    });
  }

  /** One socket's wish to load some of its user's prompts, answered by the next batched query. */
  private record Lookup(UUID clientId, List<UUID> ids, Promise<List<JsonObject>> answer) {}

  /**
   * Loads prompt frames for nudges in batches: a burst of due prompts nudges many clients at
   * once, and one query for all the sockets nudged meanwhile costs far less than one per socket.
   */
  Future<List<JsonObject>> lookup(UUID clientId, List<UUID> ids) {
    Promise<List<JsonObject>> answer = Promise.promise();
    lookups.add(new Lookup(clientId, ids, answer));
    if (lookupScheduled.compareAndSet(false, true)) {
      vertx.runOnContext(v -> runLookups());
    }
    return answer.future();
  }

  private void runLookups() {
    lookupScheduled.set(false);
    List<Lookup> batch = new ArrayList<>();
    Lookup next;
    int idCount = 0;
    while (idCount < LOOKUP_BATCH && (next = lookups.poll()) != null) {
      batch.add(next);
      idCount += next.ids().size();
    }
    if (!lookups.isEmpty() && lookupScheduled.compareAndSet(false, true)) {
      vertx.runOnContext(v -> runLookups());
    }
    if (batch.isEmpty()) {
      return;
    }
    Set<UUID> all = new HashSet<>();
    batch.forEach(l -> all.addAll(l.ids()));
    Instant now = d.clock().instant();
    d.pool().preparedQuery("SELECT id, client_id, step_id, occurrence_key, instrument_id, instrument_version, position,"
            + " message, due_at, remind_at, expires_at, reminded_at FROM checkin_prompt WHERE id = ANY($1)"
            + " AND state IN ('pending', 'delivered') AND due_at <= $2 AND expires_at > $2 ORDER BY due_at, step_id, position")
        .execute(Tuple.of(all.toArray(new UUID[0]), Db.ts(now)))
        .recover(PgErrors::recover)
        .onComplete(ar -> {
          for (Lookup l : batch) {
            if (ar.failed()) {
              l.answer().fail(ar.cause());
              continue;
            }
            Set<UUID> wanted = new HashSet<>(l.ids());
            List<JsonObject> frames = new ArrayList<>();
            for (Row r : ar.result()) {
              if (l.clientId().equals(r.getUUID("client_id")) && wanted.contains(r.getUUID("id"))) {
                toFrame(r).ifPresent(frames::add);
              }
            }
            l.answer().complete(frames);
          }
        });
  }

  private java.util.Optional<JsonObject> toFrame(Row r) {
    java.util.Optional<JsonObject> instrument = d.catalog().json(r.getString("instrument_id"), r.getInteger("instrument_version"));
    if (instrument.isEmpty()) {
      log.warn("an open prompt names an instrument version missing from the catalog promptId={}", r.getUUID("id"));
    }
    return instrument.map(i -> frame(r, i));
  }

  /** Frames of all the client's open prompts (due, unanswered, not expired), oldest due first. */
  Future<List<JsonObject>> openPrompts(UUID clientId) {
    Instant now = d.clock().instant();
    return d.pool().preparedQuery("SELECT id, step_id, occurrence_key, instrument_id, instrument_version, position,"
            + " message, due_at, remind_at, expires_at, reminded_at FROM checkin_prompt WHERE client_id = $1"
            + " AND state IN ('pending', 'delivered') AND due_at <= $2 AND expires_at > $2"
            + " ORDER BY due_at, step_id, position LIMIT " + MAX_ON_CONNECT)
        .execute(Tuple.of(clientId, Db.ts(now)))
        .recover(PgErrors::recover)
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) {
            toFrame(r).ifPresent(out::add);
          }
          return out;
        });
  }

  private static JsonObject frame(Row r, JsonObject instrument) {
    JsonObject f = new JsonObject().put("type", "checkin.prompt")
        .put("promptId", r.getUUID("id").toString())
        .put("stepId", r.getString("step_id"))
        .put("occurrenceKey", r.getString("occurrence_key"))
        .put("position", r.getInteger("position"))
        .put("instrument", instrument)
        .put("dueAt", Db.instant(r, "due_at").toString())
        .put("expiresAt", Db.instant(r, "expires_at").toString());
    Instant reminded = Db.instant(r, "reminded_at");
    if (reminded != null) {
      f.put("remindedAt", reminded.toString());
    }
    if (r.getString("message") != null) {
      f.put("message", r.getString("message"));
    }
    return f;
  }

  private Future<Void> submit(Socket socket, JsonObject frame) {
    String ref = frame.getString("ref");
    UUID promptId = UUID.fromString(frame.getString("promptId"));
    return checkins.submit(socket.actor(), promptId, frame.getJsonObject("answers"))
        .compose(done -> {
          JsonObject accepted = new JsonObject().put("type", "checkin.accepted").put("promptId", promptId.toString());
          if (done.duplicate()) {
            accepted.put("duplicate", true);
          }
          if (done.clientAction() != RiskSignal.ClientAction.NONE) {
            accepted.put("clientAction", RiskReports.code(done.clientAction()));
          }
          if (ref != null) {
            accepted.put("ref", ref);
          }
          socket.send(accepted);
          if (done.duplicate()) {
            return Future.<Void>succeededFuture();
          }
          return d.identity().careTeam(done.clientId()).map(team -> {
            if (!team.isEmpty()) {
              nudger.nudge(Set.copyOf(team), RESULT_KIND, done.resultId().toString());
            }
            return (Void) null;
          }).otherwise(err -> {
            // The result is committed and visible on the dashboard; only the live push is lost.
            log.warn("could not nudge the care team of a new check-in result cause={}", err.getClass().getSimpleName());
            return null;
          });
        })
        .recover(err -> {
          if (err instanceof InvalidAnswersException invalid) {
            socket.send(invalidAnswers(invalid.problems(), ref));
            return Future.succeededFuture();
          }
          return Future.failedFuture(err);
        });
  }

  /** The {@code error} frame for invalid answers: code, a message naming the first item, every problem. */
  static JsonObject invalidAnswers(List<AnswerProblem> problems, String ref) {
    AnswerProblem first = problems.get(0);
    JsonArray list = new JsonArray();
    problems.forEach(p -> list.add(p.toJson()));
    String message = "answer to item " + first.itemId() + ": " + first.message()
        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
    return Frames.error("invalid_answers", message, "answers." + first.itemId(), ref).put("problems", list);
  }

  private Future<Void> flushSent() {
    List<UUID> batch = new ArrayList<>();
    UUID id;
    while ((id = sent.poll()) != null && batch.size() < 10_000) {
      batch.add(id);
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    return d.pool().preparedQuery("UPDATE checkin_prompt SET first_sent_at = $2 WHERE id = ANY($1) AND first_sent_at IS NULL")
        .execute(Tuple.of(batch.toArray(new UUID[0]), Db.ts(d.clock().instant())))
        .<Void>mapEmpty()
        .otherwise(err -> {
          log.warn("recording sent check-in prompts failed cause={}", err.getClass().getSimpleName());
          return null;
        });
  }

  static List<UUID> parseIds(String objectId) {
    List<UUID> out = new ArrayList<>();
    if (objectId == null) {
      return out;
    }
    for (String part : objectId.split(",")) {
      UUID id = parseId(part);
      if (id != null) {
        out.add(id);
      }
    }
    return out;
  }

  private static UUID parseId(String s) {
    try {
      return s == null ? null : UUID.fromString(s.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

package org.interlude.checkin;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.interlude.audit.AuditEvent;
import org.interlude.checkin.fhir.ExportResult;
import org.interlude.checkin.fhir.FhirBundleExporter;
import org.interlude.checkin.instrument.Band;
import org.interlude.checkin.instrument.Instrument;
import org.interlude.checkin.instrument.Item;
import org.interlude.checkin.instrument.ItemType;
import org.interlude.checkin.instrument.ScoredResult;
import org.interlude.checkin.instrument.Scorer;
import org.interlude.checkin.instrument.Scoring;
import org.interlude.checkin.instrument.ScoringOutcome;
import org.interlude.checkin.instrument.risk.RiskContext;
import org.interlude.checkin.instrument.risk.RiskSignal;
import org.interlude.crypto.TamperedCiphertextException;
import org.interlude.identity.Actor;
import org.interlude.identity.Denied;
import org.interlude.identity.InvalidInput;
import org.interlude.storage.PgErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers to check-ins and what clinicians read of them.
 *
 * <p>{@link #submit}: only the prompt's own client may answer it (anyone else gets NotFound, as
 * does a prompt not yet due). Answers are validated and scored against the exact instrument
 * version the client was shown; the result (scores as JSON, free text encrypted), the prompt's
 * {@code answered} state and the audit row commit together; then the risk rules' signals go to
 * the {@link RiskSink} (before the future completes, so before the client's confirmation), and a
 * report that fails stays owed and is retried ({@link RiskReports}). Submitting an answered prompt
 * again returns the first result unchanged ({@link Submitted#duplicate()}); a prompt that expired
 * or was withdrawn answers {@code prompt_closed}.
 *
 * <p>Reads ({@link #list}, {@link #trends}, {@link #exportFhir}) authorise with
 * {@code Access.client} and are audited (ids only). {@link #latestScores} is for callers that
 * already authorised the clients.
 */
public final class Checkins {
  private static final Logger log = LoggerFactory.getLogger(Checkins.class);
  static final String RESULT_COLUMNS = "r.id, r.client_id, r.clinic_id, r.instrument_id, r.instrument_version,"
      + " r.total, r.percentage, r.band_id, r.band_label, r.item_values, r.flags, r.answered_at";

  private final Deps d;
  private final RiskReports risk;

  Checkins(Deps deps, RiskReports risk) {
    this.d = deps;
    this.risk = risk;
  }

  /**
   * What a submission produced.
   *
   * @param duplicate true when the prompt had already been answered: {@code resultId} is the
   *     first result and the answers sent this time were ignored
   * @param signals the risk signals of the result (already reported, or owed and retried)
   */
  public record Submitted(UUID promptId, UUID resultId, UUID clientId, UUID clinicId, String instrumentId,
      boolean duplicate, List<RiskSignal> signals) {
    /** The most urgent thing the client must be told at once. */
    public RiskSignal.ClientAction clientAction() {
      return RiskReports.clientAction(signals);
    }
  }

  private record Prompt(UUID id, UUID clientId, UUID clinicId, String instrumentId, int version, String state,
      Instant due, Instant expires, UUID resultId, String zone) {
    static Prompt from(Row r) {
      return new Prompt(r.getUUID("id"), r.getUUID("client_id"), r.getUUID("clinic_id"), r.getString("instrument_id"),
          r.getInteger("instrument_version"), r.getString("state"), Db.instant(r, "due_at"), Db.instant(r, "expires_at"),
          r.getUUID("result_id"), r.getString("time_zone"));
    }
  }

  /** Answers a prompt; see the class contract. */
  public Future<Submitted> submit(Actor actor, UUID promptId, JsonObject answers) {
    Objects.requireNonNull(answers, "answers");
    Instant now = d.clock().instant();
    return d.pool().preparedQuery("SELECT id, client_id, clinic_id, instrument_id, instrument_version, state, due_at,"
            + " expires_at, result_id, time_zone FROM checkin_prompt WHERE id = $1 AND client_id = $2 AND clinic_id = $3")
        .execute(Tuple.of(promptId, actor.userId(), actor.clinicId()))
        .recover(PgErrors::recover)
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(Denied.notFound("check-in"));
          }
          Prompt p = Prompt.from(rows.iterator().next());
          if ("answered".equals(p.state())) {
            return duplicate(p);
          }
          if (p.due().isAfter(now)) {
            return Future.failedFuture(Denied.notFound("check-in"));
          }
          checkOpen(p.state(), p.expires(), now);
          Instrument instrument = d.catalog().find(p.instrumentId(), p.version()).orElseThrow(() ->
              new IllegalStateException("a prompt names an instrument version missing from the catalog"));
          ScoringOutcome outcome = Scorer.score(instrument, answers);
          return context(p, outcome.result(), now).compose(ctx -> {
            List<RiskSignal> signals = d.rules().evaluate(outcome.result(), ctx);
            return commit(actor, p, outcome, signals, now);
          });
        });
  }

  private static void checkOpen(String state, Instant expires, Instant now) {
    boolean open = ("pending".equals(state) || "delivered".equals(state)) && expires.isAfter(now);
    if (!open) {
      throw new InvalidInput("prompt_closed", "promptId", "this check-in has closed and can no longer be answered");
    }
  }

  private Future<Submitted> duplicate(Prompt p) {
    return d.pool().preparedQuery("SELECT signals, signal_pending FROM checkin_result WHERE id = $1")
        .execute(Tuple.of(p.resultId()))
        .recover(PgErrors::recover)
        .compose(rows -> {
          Row r = rows.iterator().next();
          List<RiskSignal> signals = RiskReports.fromJson((JsonArray) r.getValue("signals"));
          Future<Boolean> reported = r.getBoolean("signal_pending")
              ? risk.reclaimAndReportResult(p.resultId()) : Future.succeededFuture(true);
          return reported.map(ok -> new Submitted(p.id(), p.resultId(), p.clientId(), p.clinicId(), p.instrumentId(), true,
              signals));
        });
  }

  /** How the answering transaction ended: another submission won (its result), or ours committed (our lease token). */
  private record Committed(UUID earlierResult, long leaseToken) {}

  private Future<Submitted> commit(Actor actor, Prompt p, ScoringOutcome outcome, List<RiskSignal> signals, Instant now) {
    UUID resultId = UUID.randomUUID();
    ScoredResult s = outcome.result();
    return d.audit().transaction(d.pool(), tx -> tx.preparedQuery(
                "SELECT state, result_id, expires_at FROM checkin_prompt WHERE id = $1 FOR UPDATE")
            .execute(Tuple.of(p.id()))
            .compose(rows -> {
              Row locked = rows.iterator().next();
              if ("answered".equals(locked.getString("state"))) {
                // A concurrent submission won the lock: answer with its result.
                return Future.succeededFuture(new Committed(locked.getUUID("result_id"), 0));
              }
              checkOpen(locked.getString("state"), Db.instant(locked, "expires_at"), now);
              Future<byte[]> sealed = outcome.freeText().isEmpty()
                  ? Future.succeededFuture(null)
                  : d.cipher().dataKey(tx, p.clientId()).map(key -> {
                    try {
                      return FreeTextCipher.seal(key, p.clientId(), resultId, outcome.freeText());
                    } finally {
                      FreeTextCipher.wipe(key);
                    }
                  });
              return sealed.compose(ct -> tx.preparedQuery("INSERT INTO checkin_result (id, clinic_id, client_id, prompt_id,"
                          + " instrument_id, instrument_version, total, percentage, band_id, band_label, item_values, flags,"
                          + " free_text, answered_at, signals, signal_pending, lease_owner, lease_token, lease_until)"
                          + " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,"
                          + " nextval('checkin_lease_token'), clock_timestamp() + $18::bigint * interval '1 millisecond')"
                          + " RETURNING lease_token")
                      .execute(Tuple.from(new Object[] {resultId, p.clinicId(), p.clientId(), p.id(), s.instrumentId(),
                          s.version(), s.total(), s.percentage(), s.bandId(), s.bandLabel(),
                          new JsonObject(new LinkedHashMap<>(s.itemValues())), new JsonObject(new LinkedHashMap<>(s.flags())),
                          ct == null ? null : Buffer.buffer(ct), Db.ts(now), RiskReports.toJson(signals),
                          !signals.isEmpty(), d.nodeId(), d.settings().lease().toMillis()})))
                  .compose(ins -> tx.preparedQuery("UPDATE checkin_prompt SET state = 'answered', answered_at = $2,"
                          + " result_id = $3, nudge_pending = false WHERE id = $1")
                      .execute(Tuple.of(p.id(), Db.ts(now), resultId))
                      .compose(u -> d.audit().record(tx, AuditEvent.of("checkin.submit").clinic(p.clinicId())
                          .actor(actor.userId(), actor.auditRole()).subject(p.clientId()).object("checkin_result", resultId)
                          .source(actor.sourceIp(), actor.correlationId()).build()))
                      .map(v -> new Committed(null, ins.iterator().next().getLong("lease_token"))));
            }))
        .recover(PgErrors::recover)
        .compose(committed -> {
          if (committed.earlierResult() != null) {
            return duplicate(new Prompt(p.id(), p.clientId(), p.clinicId(), p.instrumentId(), p.version(), "answered",
                p.due(), p.expires(), committed.earlierResult(), p.zone()));
          }
          long token = committed.leaseToken();
          Submitted done = new Submitted(p.id(), resultId, p.clientId(), p.clinicId(), s.instrumentId(), false, signals);
          if (signals.isEmpty()) {
            return Future.succeededFuture(done);
          }
          return risk.reportResult(new RiskReports.Owed(resultId, p.clinicId(), p.clientId(), s.instrumentId(), token),
              signals).map(done);
        });
  }

  /** The facts the risk rules need beyond the result, from the database and the sink. */
  private Future<RiskContext> context(Prompt p, ScoredResult current, Instant now) {
    UUID clientId = p.clientId();
    ZoneId zone = Db.zone(p.zone(), null);
    Future<ScoredResult> previous = d.pool().preparedQuery("SELECT " + RESULT_COLUMNS + " FROM checkin_result r"
            + " WHERE r.client_id = $1 AND r.instrument_id = $2 ORDER BY r.answered_at DESC LIMIT 1")
        .execute(Tuple.of(clientId, current.instrumentId()))
        .map(rows -> rows.size() == 0 ? null : scored(rows.iterator().next()));
    Future<List<Instant>> doses = d.pool().preparedQuery(
            "SELECT starts_at FROM dosing_session WHERE client_id = $1 AND status <> 'cancelled'")
        .execute(Tuple.of(clientId))
        .map(rows -> {
          List<Instant> out = new ArrayList<>();
          rows.forEach(r -> out.add(Db.instant(r, "starts_at")));
          return out;
        });
    long timeoutMs = d.settings().riskTimeout().toMillis();
    Future<Boolean> high = d.riskSink().highInLast7Days(clientId).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .otherwise(err -> {
          // Unknown is treated as the more cautious answer.
          log.warn("risk sink could not say whether a HIGH fired recently; assuming it did cause={}",
              err.getClass().getSimpleName());
          return true;
        });
    return Future.all(previous, doses, high).recover(PgErrors::recover).compose(all -> {
      Instant lastDose = null;
      boolean dosingDay = false;
      LocalDate today = LocalDate.ofInstant(now, zone);
      for (Instant start : doses.result()) {
        if (!start.isAfter(now) && (lastDose == null || start.isAfter(lastDose))) {
          lastDose = start;
        }
        if (LocalDate.ofInstant(start, zone).equals(today)) {
          dosingDay = true;
        }
      }
      Double hours = lastDose == null ? null : Duration.between(lastDose, now).toMillis() / 3_600_000.0;
      boolean isDosingDay = dosingDay;
      if (lastDose == null || !current.instrumentId().equals("postdose")) {
        return Future.succeededFuture(new RiskContext(previous.result(), high.result(), hours, isDosingDay, false));
      }
      Instant beyond = lastDose.plus(Duration.ofHours(d.rules().thresholds().dissociationHours()));
      return d.pool().preparedQuery("SELECT EXISTS (SELECT 1 FROM checkin_result WHERE client_id = $1"
              + " AND instrument_id = 'postdose' AND answered_at > $2 AND (flags->>'postdose.unreal')::int >= $3)")
          .execute(Tuple.of(clientId, Db.ts(beyond), d.rules().thresholds().unrealMinLevel()))
          .recover(PgErrors::recover)
          .map(rows -> new RiskContext(previous.result(), high.result(), hours, isDosingDay,
              rows.iterator().next().getBoolean(0)));
    });
  }

  static ScoredResult scored(Row r) {
    Map<String, Integer> items = ints((JsonObject) r.getValue("item_values"));
    Map<String, Integer> flags = ints((JsonObject) r.getValue("flags"));
    return new ScoredResult(r.getString("instrument_id"), r.getInteger("instrument_version"), r.getInteger("total"),
        r.getInteger("percentage"), r.getString("band_id"), r.getString("band_label"), items, flags);
  }

  private static Map<String, Integer> ints(JsonObject json) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (json != null) {
      json.forEach(e -> out.put(e.getKey(), ((Number) e.getValue()).intValue()));
    }
    return out;
  }

  /** The states a list may be filtered by, and the stored states each covers. */
  static final Map<String, List<String>> STATE_FILTERS = Map.of(
      "pending", List.of("pending", "delivered"),
      "answered", List.of("answered"),
      "missed", List.of("missed"),
      "cancelled", List.of("cancelled"));

  /**
   * The client's prompts, newest due first: {@code [{promptId, stepId, occurrenceKey, instrumentId,
   * title, state, dueAt, remindAt?, expiresAt, deliveredAt?, firstSentAt?, remindedAt?, answeredAt?,
   * missedAt?, cancelledAt?, dosingSessionId?, resultId?, total?, bandLabel?}]}. {@code state}
   * filters: pending (scheduled or waiting for an answer), answered, missed, cancelled; null: all.
   */
  public Future<JsonArray> list(Actor actor, UUID clientId, String state, int limit) {
    List<String> states = state == null ? null : STATE_FILTERS.get(state);
    if (state != null && states == null) {
      return Future.failedFuture(new InvalidInput("invalid_state", "state", "state must be pending, answered, missed or cancelled"));
    }
    return d.access().client(actor, clientId)
        .compose(u -> d.pool().preparedQuery("SELECT p.id, p.step_id, p.occurrence_key, p.instrument_id,"
                + " p.instrument_version, p.state, p.due_at, p.remind_at, p.expires_at, p.delivered_at, p.first_sent_at,"
                + " p.reminded_at, p.answered_at, p.missed_at, p.cancelled_at, p.dosing_session_id, r.id AS result_id,"
                + " r.total, r.band_label FROM checkin_prompt p LEFT JOIN checkin_result r ON r.id = p.result_id"
                + " WHERE p.client_id = $1 AND ($2::text[] IS NULL OR p.state = ANY($2::text[]))"
                + " ORDER BY p.due_at DESC, p.position LIMIT $3")
            .execute(Tuple.of(clientId, states == null ? null : states.toArray(new String[0]), limit))
            .recover(PgErrors::recover))
        .compose(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            JsonObject o = new JsonObject().put("promptId", r.getUUID("id").toString())
                .put("stepId", r.getString("step_id")).put("occurrenceKey", r.getString("occurrence_key"))
                .put("instrumentId", r.getString("instrument_id"))
                .put("title", d.catalog().find(r.getString("instrument_id"), r.getInteger("instrument_version"))
                    .map(Instrument::title).orElse(r.getString("instrument_id")))
                .put("state", r.getString("state"));
            for (String[] c : new String[][] {{"due_at", "dueAt"}, {"remind_at", "remindAt"}, {"expires_at", "expiresAt"},
                {"delivered_at", "deliveredAt"}, {"first_sent_at", "firstSentAt"}, {"reminded_at", "remindedAt"},
                {"answered_at", "answeredAt"}, {"missed_at", "missedAt"}, {"cancelled_at", "cancelledAt"}}) {
              Instant t = Db.instant(r, c[0]);
              if (t != null) {
                o.put(c[1], t.toString());
              }
            }
            if (r.getUUID("dosing_session_id") != null) {
              o.put("dosingSessionId", r.getUUID("dosing_session_id").toString());
            }
            if (r.getUUID("result_id") != null) {
              o.put("resultId", r.getUUID("result_id").toString());
              if (r.getInteger("total") != null) {
                o.put("total", r.getInteger("total")).put("bandLabel", r.getString("band_label"));
              }
            }
            out.add(o);
          }
          return d.audit().record(readEvent(actor, clientId, "checkin.list", "checkin_prompt")).map(out);
        });
  }

  /**
   * The trend of one instrument for the chart: {@code {instrument:{id, title, min, max, bands:[{id,
   * label, min, max}]}, points:[{at, total, bandLabel?, resultId, percentage?}], dosingSessions:
   * [{id, startsAt, route}]}}. Totals are raw sums; bands of instruments banded on a percentage
   * (WHO-5) are given as the raw-total ranges they cover, so points and bands share one axis. An
   * unscored instrument with a scale item (the safety pulse's mood) trends that item's value,
   * without bands.
   */
  public Future<JsonObject> trends(Actor actor, UUID clientId, String instrumentId) {
    Optional<Instrument> found = d.catalog().latest(instrumentId == null ? "" : instrumentId);
    if (found.isEmpty()) {
      return Future.failedFuture(new InvalidInput("unknown_instrument", "instrument", "no instrument with this id"));
    }
    Instrument instrument = found.get();
    Item scale = instrument.isScored() ? null
        : instrument.items().stream().filter(i -> i.type() == ItemType.SCALE).findFirst().orElse(null);
    if (!instrument.isScored() && scale == null) {
      return Future.failedFuture(new InvalidInput("not_trendable", "instrument", "this instrument has no score to chart"));
    }
    return d.access().client(actor, clientId)
        .compose(u -> Future.all(
                d.pool().preparedQuery("SELECT id, answered_at, total, percentage, band_label, item_values FROM checkin_result"
                    + " WHERE client_id = $1 AND instrument_id = $2 ORDER BY answered_at, id").execute(Tuple.of(clientId, instrumentId)),
                d.pool().preparedQuery("SELECT id, starts_at, route, status FROM dosing_session WHERE client_id = $1"
                    + " AND status <> 'cancelled' ORDER BY starts_at").execute(Tuple.of(clientId)))
            .recover(PgErrors::recover))
        .compose(all -> {
          JsonObject head = new JsonObject().put("id", instrument.id()).put("title", instrument.title());
          JsonArray bands = new JsonArray();
          if (instrument.isScored()) {
            Scoring sc = instrument.scoring();
            head.put("min", sc.min()).put("max", sc.max());
            boolean onPercentage = sc.bandsOn() == Scoring.BandBasis.PERCENTAGE;
            for (Band b : sc.bands()) {
              int min = onPercentage ? ceilDiv(b.min(), sc.multiplier()) : b.min();
              int max = onPercentage ? Math.floorDiv(b.max(), sc.multiplier()) : b.max();
              bands.add(new JsonObject().put("id", b.id()).put("label", b.label()).put("min", min).put("max", max));
            }
            if (sc.multiplier() != null) {
              head.put("multiplier", sc.multiplier());
            }
          } else {
            head.put("min", scale.min()).put("max", scale.max()).put("itemId", scale.id());
          }
          head.put("bands", bands);
          JsonArray points = new JsonArray();
          for (Row r : all.<io.vertx.sqlclient.RowSet<Row>>resultAt(0)) {
            Integer value = instrument.isScored() ? r.getInteger("total")
                : Optional.ofNullable((JsonObject) r.getValue("item_values")).map(j -> j.getInteger(scale.id())).orElse(null);
            if (value == null) {
              continue;
            }
            JsonObject pt = new JsonObject().put("at", Db.instant(r, "answered_at").toString()).put("total", value)
                .put("resultId", r.getUUID("id").toString());
            if (r.getString("band_label") != null) {
              pt.put("bandLabel", r.getString("band_label"));
            }
            if (r.getInteger("percentage") != null) {
              pt.put("percentage", r.getInteger("percentage"));
            }
            points.add(pt);
          }
          JsonArray sessions = new JsonArray();
          for (Row r : all.<io.vertx.sqlclient.RowSet<Row>>resultAt(1)) {
            sessions.add(new JsonObject().put("id", r.getUUID("id").toString())
                .put("startsAt", Db.instant(r, "starts_at").toString()).put("route", r.getString("route")));
          }
          JsonObject out = new JsonObject().put("instrument", head).put("points", points).put("dosingSessions", sessions);
          return d.audit().record(readEvent(actor, clientId, "checkin.trends", "checkin_result")).map(out);
        });
  }

  private static int ceilDiv(int a, int b) {
    return -Math.floorDiv(-a, b);
  }

  /**
   * The latest score of each scored instrument per client, for the roster:
   * {@code {clientId → {"phq9": {total, bandLabel, at}, …}}} with an empty object for a client
   * without results. No authorisation or audit here: the caller passes only clients its actor may
   * see and audits its own listing.
   */
  public Future<Map<UUID, JsonObject>> latestScores(Collection<UUID> clientIds) {
    Map<UUID, JsonObject> out = new LinkedHashMap<>();
    for (UUID id : clientIds) {
      out.put(id, new JsonObject());
    }
    if (clientIds.isEmpty()) {
      return Future.succeededFuture(out);
    }
    return d.pool().preparedQuery("SELECT DISTINCT ON (client_id, instrument_id) client_id, instrument_id, total,"
            + " band_label, answered_at FROM checkin_result WHERE client_id = ANY($1) AND total IS NOT NULL"
            + " ORDER BY client_id, instrument_id, answered_at DESC, id DESC")
        .execute(Tuple.of(clientIds.toArray(new UUID[0])))
        .recover(PgErrors::recover)
        .map(rows -> {
          for (Row r : rows) {
            out.get(r.getUUID("client_id")).put(r.getString("instrument_id"), new JsonObject()
                .put("total", r.getInteger("total")).put("bandLabel", r.getString("band_label"))
                .put("at", Db.instant(r, "answered_at").toString()));
          }
          return out;
        });
  }

  /**
   * The client's results as a FHIR R4 collection Bundle, free text decrypted, audited as an
   * export. A ciphertext that fails authentication fails the export (it is never silently left
   * out of a clinical record); the result id is logged, never content.
   */
  public Future<JsonObject> exportFhir(Actor actor, UUID clientId) {
    return d.access().client(actor, clientId)
        .compose(u -> d.pool().preparedQuery("SELECT " + RESULT_COLUMNS + ", r.free_text FROM checkin_result r"
                + " WHERE r.client_id = $1 ORDER BY r.answered_at, r.id").execute(Tuple.of(clientId))
            .recover(PgErrors::recover))
        .compose(rows -> {
          boolean anyText = false;
          for (Row r : rows) {
            anyText |= r.getBuffer("free_text") != null;
          }
          Future<byte[]> key = anyText ? d.cipher().existingKey(d.pool(), clientId) : Future.succeededFuture(null);
          return key.compose(k -> {
            try {
              List<ExportResult> results = new ArrayList<>();
              for (Row r : rows) {
                UUID resultId = r.getUUID("id");
                Instrument instrument = d.catalog().find(r.getString("instrument_id"), r.getInteger("instrument_version"))
                    .orElseThrow(() -> new IllegalStateException("a result names an instrument version missing from the catalog"));
                Map<String, String> text = Map.of();
                Buffer sealed = r.getBuffer("free_text");
                if (sealed != null) {
                  if (k == null) {
                    throw new IllegalStateException("check-in result " + resultId + " has free text but the client has no data key");
                  }
                  try {
                    text = FreeTextCipher.open(k, clientId, resultId, sealed.getBytes());
                  } catch (TamperedCiphertextException e) {
                    log.error("check-in free text failed authentication resultId={}", resultId);
                    throw new IllegalStateException("check-in result " + resultId + " failed authentication");
                  }
                }
                results.add(new ExportResult(resultId.toString(), instrument, scored(r), Db.instant(r, "answered_at"), text));
              }
              JsonObject bundle = FhirBundleExporter.export(clientId.toString(), results, d.clock().instant());
              return d.audit().record(readEvent(actor, clientId, "checkin.export.fhir", "fhir_bundle")).map(bundle);
            } finally {
              FreeTextCipher.wipe(k);
            }
          });
        });
  }

  /**
   * The {@code checkin.result} frame of a result for a staff member who may see its client, or
   * empty (a client, or anyone outside the care team). Audited, since it shows scores.
   */
  Future<List<JsonObject>> resultFrame(Actor actor, UUID resultId) {
    if (actor.isClient()) {
      return Future.succeededFuture(List.of());
    }
    return d.pool().preparedQuery("SELECT " + RESULT_COLUMNS + " FROM checkin_result r WHERE r.id = $1 AND r.clinic_id = $2")
        .execute(Tuple.of(resultId, actor.clinicId()))
        .recover(PgErrors::recover)
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(List.<JsonObject>of());
          }
          Row r = rows.iterator().next();
          UUID clientId = r.getUUID("client_id");
          return d.access().client(actor, clientId).compose(u -> {
            String instrumentId = r.getString("instrument_id");
            JsonObject frame = new JsonObject().put("type", "checkin.result").put("clientId", clientId.toString())
                .put("resultId", resultId.toString()).put("instrumentId", instrumentId)
                .put("title", d.catalog().find(instrumentId, r.getInteger("instrument_version")).map(Instrument::title)
                    .orElse(instrumentId))
                .put("at", Db.instant(r, "answered_at").toString());
            if (r.getInteger("total") != null) {
              frame.put("total", r.getInteger("total")).put("bandLabel", r.getString("band_label"));
            }
            return d.audit().record(AuditEvent.of("checkin.result.notify").clinic(actor.clinicId())
                    .actor(actor.userId(), actor.auditRole()).subject(clientId).object("checkin_result", resultId)
                    .source(actor.sourceIp(), actor.correlationId()).build())
                .map(v -> List.of(frame));
          }, err -> Future.succeededFuture(List.<JsonObject>of()));
        });
  }

  private static AuditEvent readEvent(Actor actor, UUID clientId, String action, String objectType) {
    return AuditEvent.of(action).clinic(actor.clinicId()).actor(actor.userId(), actor.auditRole()).subject(clientId)
        .object(objectType, clientId).source(actor.sourceIp(), actor.correlationId()).build();
  }
}

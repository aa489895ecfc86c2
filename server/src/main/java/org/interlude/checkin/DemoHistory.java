package org.interlude.checkin;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.interlude.checkin.instrument.Instrument;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.instrument.Item;
import org.interlude.checkin.instrument.ItemType;
import org.interlude.checkin.instrument.ScoredResult;
import org.interlude.checkin.instrument.Scorer;
import org.interlude.checkin.instrument.ScoringOutcome;
import org.interlude.checkin.plan.DosingSession;
import org.interlude.checkin.plan.Occurrence;
import org.interlude.checkin.plan.OccurrenceCalculator;
import org.interlude.crypto.DataKeys;
import org.interlude.storage.PgErrors;

/**
 * The demo client's history (see {@link CheckinModule#seedDemoHistory}). Everything goes through
 * the real model: occurrences come from the client's plan, answers are scored by {@link Scorer},
 * the journal entry is encrypted like any other, and the schedule from now on is materialised by
 * {@link Materializer}, so the demo shows what the product does. Demo content only: the answers
 * are invented and trend from moderate towards mild.
 */
final class DemoHistory {
  private static final LocalTime DOSE_TIME = LocalTime.of(10, 0);
  private static final int[] WEEKS_BEFORE = {31, 24, 17};
  static final String DEMO_JOURNAL = "I keep coming back to the feeling of being on the beach with my sister."
      + " I want to call her this week.";

  private DemoHistory() {}

  static Future<Void> seed(Pool pool, DataKeys dataKeys, Clock clock, UUID clientId, UUID therapistId) {
    // The catalog is read from the class path once; off the event loop when called on one.
    Context context = Vertx.currentContext();
    Future<InstrumentCatalog> catalog = context == null
        ? Future.succeededFuture(Catalogs.bundled())
        : context.owner().executeBlocking(Catalogs::bundled);
    return catalog.compose(c -> seed(pool, dataKeys, clock, clientId, therapistId, c));
  }

  private static Future<Void> seed(Pool pool, DataKeys dataKeys, Clock clock, UUID clientId, UUID therapistId,
      InstrumentCatalog catalog) {
    Materializer materializer = new Materializer(catalog, Duration.ofDays(8), Duration.ofMinutes(30));
    FreeTextCipher cipher = new FreeTextCipher(dataKeys);
    Instant now = Db.micros(clock.instant());
    return pool.withTransaction(tx -> tx.preparedQuery("SELECT EXISTS (SELECT 1 FROM dosing_session WHERE client_id = $1)")
        .execute(Tuple.of(clientId))
        .compose(rows -> {
          if (rows.iterator().next().getBoolean(0)) {
            return Future.succeededFuture();
          }
          return Materializer.lockClient(tx, clientId, now).compose(locked -> {
            LocalDate today = LocalDate.ofInstant(now, locked.zone());
            Instant first = OccurrenceCalculator.resolveLocal(today.minusDays(10).atTime(DOSE_TIME), locked.zone());
            Instant second = OccurrenceCalculator.resolveLocal(today.minusDays(3).atTime(DOSE_TIME), locked.zone());
            UUID s1 = UUID.randomUUID();
            UUID s2 = UUID.randomUUID();
            List<Tuple> sessions = List.of(
                Tuple.from(new Object[] {s1, locked.clinicId(), clientId, Db.ts(first), "intranasal", therapistId,
                    Db.ts(first.minus(Duration.ofDays(14)))}),
                Tuple.from(new Object[] {s2, locked.clinicId(), clientId, Db.ts(second), "sublingual", therapistId,
                    Db.ts(first.minus(Duration.ofDays(14)))}));
            List<Occurrence> past = OccurrenceCalculator.compute(locked.plan().plan(),
                List.of(new DosingSession(s1.toString(), first), new DosingSession(s2.toString(), second)),
                locked.zone(), locked.plan().quietHours(), now.minus(Duration.ofDays(40)), now);
            return tx.preparedQuery("INSERT INTO dosing_session (id, clinic_id, client_id, starts_at, route, status,"
                    + " created_by, created_at, updated_by, updated_at) VALUES ($1,$2,$3,$4,$5,'completed',$6,$7,$6,$7)")
                .executeBatch(sessions)
                .compose(v -> cipher.dataKey(tx, clientId))
                .compose(key -> {
                  try {
                    return history(tx, catalog, key, locked, past, first, now);
                  } finally {
                    FreeTextCipher.wipe(key);
                  }
                })
                .compose(v -> materializer.reconcile(tx, locked, now));
          });
        })).recover(PgErrors::recover);
  }

  private static Future<Void> history(SqlConnection tx, InstrumentCatalog catalog, byte[] key,
      Materializer.Locked locked, List<Occurrence> past, Instant firstDose, Instant now) {
    List<Tuple> prompts = new ArrayList<>();
    List<Pending> results = new ArrayList<>();
    UUID clientId = locked.clientId();
    for (int week : WEEKS_BEFORE) {
      Instant at = firstDose.minus(Duration.ofDays(week - 10)).plus(Duration.ofMinutes(90));
      for (String id : List.of("phq9", "gad7", "who5")) {
        results.add(result(catalog.requireLatest(id), key, locked, null, at, daysBefore(at, now)));
      }
    }
    int missedPulses = 0;
    for (Occurrence o : past) {
      if (o.expiresAt().isAfter(now)) {
        continue;
      }
      for (int pos = 0; pos < o.instruments().size(); pos++) {
        Instrument instrument = catalog.requireLatest(o.instruments().get(pos));
        UUID promptId = UUID.randomUUID();
        boolean missed = instrument.id().equals("pulse") && o.stepId().equals("d+5.pulse") && missedPulses++ == 0;
        Instant answered = o.dueAt().plus(Duration.ofMinutes(35L + 10L * pos));
        UUID resultId = missed ? null : UUID.randomUUID();
        prompts.add(Tuple.from(new Object[] {promptId, locked.clinicId(), clientId, o.stepId(), o.occurrenceKey(),
            instrument.id(), instrument.version(), pos, UUID.fromString(o.dosingSessionId()), o.message(),
            Db.ts(o.dueAt()), Db.ts(o.remindAt()), Db.ts(o.expiresAt()), locked.zone().getId(),
            missed ? "missed" : "answered", Db.ts(o.dueAt()), missed ? null : Db.ts(answered),
            missed ? Db.ts(o.expiresAt()) : null, resultId}));
        if (!missed) {
          results.add(result(instrument, key, locked, promptId, answered, daysBefore(answered, now)).resultId(resultId));
        }
      }
    }
    List<Tuple> resultTuples = new ArrayList<>();
    for (Pending r : results) {
      resultTuples.add(r.tuple());
    }
    return tx.preparedQuery("INSERT INTO checkin_prompt (id, clinic_id, client_id, step_id, occurrence_key, instrument_id,"
            + " instrument_version, position, dosing_session_id, message, due_at, remind_at, expires_at, time_zone, state,"
            + " created_at, delivered_at, first_sent_at, answered_at, missed_at, result_id)"
            + " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16,$16,$17,$18,$19)")
        .executeBatch(prompts)
        .compose(v -> tx.preparedQuery("INSERT INTO checkin_result (id, clinic_id, client_id, prompt_id, instrument_id,"
                + " instrument_version, total, percentage, band_id, band_label, item_values, flags, free_text, answered_at)"
                + " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)")
            .executeBatch(resultTuples))
        .mapEmpty();
  }

  /** One result to insert; its id may be fixed afterwards to match the prompt that points at it. */
  private static final class Pending {
    private UUID id;
    private final Object[] values;
    private final Map<String, String> text;
    private final byte[] key;
    private final UUID clientId;

    Pending(UUID id, Object[] values, Map<String, String> text, byte[] key, UUID clientId) {
      this.id = id;
      this.values = values;
      this.text = text;
      this.key = key.clone();
      this.clientId = clientId;
    }

    Pending resultId(UUID fixed) {
      this.id = fixed;
      return this;
    }

    Tuple tuple() {
      Object[] v = values.clone();
      v[0] = id;
      if (!text.isEmpty()) {
        v[12] = Buffer.buffer(FreeTextCipher.seal(key, clientId, id, text));
      }
      FreeTextCipher.wipe(key);
      return Tuple.from(v);
    }
  }

  private static Pending result(Instrument instrument, byte[] key, Materializer.Locked locked, UUID promptId,
      Instant at, double daysAgo) {
    ScoringOutcome outcome = Scorer.score(instrument, answers(instrument, daysAgo));
    ScoredResult s = outcome.result();
    Object[] values = {null, locked.clinicId(), locked.clientId(), promptId, s.instrumentId(), s.version(), s.total(),
        s.percentage(), s.bandId(), s.bandLabel(), new JsonObject(new LinkedHashMap<>(s.itemValues())),
        new JsonObject(new LinkedHashMap<>(s.flags())), null, Db.ts(at)};
    return new Pending(UUID.randomUUID(), values, outcome.freeText(), key, locked.clientId());
  }

  private static double daysBefore(Instant at, Instant now) {
    return Duration.between(at, now).toHours() / 24.0;
  }

  /**
   * Invented answers that improve as the course goes on: {@code daysAgo} 31 is the worst, 0 the
   * best. No answer raises a risk signal.
   */
  static JsonObject answers(Instrument instrument, double daysAgo) {
    double worse = Math.max(0, Math.min(1, daysAgo / 31.0));
    JsonObject a = new JsonObject();
    switch (instrument.id()) {
      case "phq9" -> spread(instrument, a, (int) Math.round(7 + 9 * worse), List.of("q9", "difficulty"))
          .put("q9", 0).put("difficulty", 1);
      case "gad7" -> spread(instrument, a, (int) Math.round(6 + 7 * worse), List.of());
      case "who5" -> spread(instrument, a, (int) Math.round(15 - 7 * worse), List.of());
      case "pulse" -> a.put("mood", (int) Math.round(7 - 3 * worse)).put("thoughts", false);
      case "postdose" -> a.put("homeSafely", true).put("withWhom", 1).put("nausea", daysAgo > 9.5 ? 1 : 0)
          .put("dizziness", 1).put("unreal", 0).put("drowsiness", 1).put("anxiety", 0).put("chestPain", false)
          .put("urinaryPain", false).put("drove", false);
      case "journal" -> a.put("entry", DEMO_JOURNAL);
      default -> {
        for (Item item : instrument.items()) {
          if (item.required() && item.type() != ItemType.TEXT) {
            a.put(item.id(), item.type() == ItemType.BOOLEAN ? (Object) false : item.lowestValue());
          }
        }
      }
    }
    return a;
  }

  // Spreads a total over the scored items round-robin, skipping the excluded ones.
  private static JsonObject spread(Instrument instrument, JsonObject a, int total, List<String> excluded) {
    List<Item> items = instrument.scoredItems().stream().filter(i -> !excluded.contains(i.id())).toList();
    int[] values = new int[items.size()];
    int left = total;
    for (int round = 0; left > 0 && round < 10; round++) {
      for (int i = 0; i < values.length && left > 0; i++) {
        if (values[i] < items.get(i).highestValue()) {
          values[i]++;
          left--;
        }
      }
    }
    for (int i = 0; i < values.length; i++) {
      a.put(items.get(i).id(), values[i]);
    }
    return a;
  }
}

package org.interlude.checkin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.interlude.checkin.instrument.InstrumentCatalog;
import org.interlude.checkin.plan.CheckinPlan;
import org.interlude.checkin.plan.DefaultPlans;
import org.interlude.checkin.plan.PlanStep;
import org.interlude.checkin.plan.PromptPath;
import org.interlude.checkin.plan.QuietHours;
import org.interlude.checkin.plan.StepAnchor;
import org.interlude.identity.InvalidInput;

/**
 * A client's check-in plan as stored and served: the steps, the client's quiet hours, and for
 * each step the instant from which its current definition applies.
 *
 * <p>"Changes apply to future occurrences only": when a therapist changes a plan, every step that
 * is new or different gets {@code effectiveFrom = now}; an occurrence of such a step that would be
 * due before that instant is never created (and a still-pending one is withdrawn), while prompts
 * already delivered, answered or missed are never touched. Unchanged steps keep their earlier
 * instant (none for the default plan), so re-saving a plan changes nothing.
 *
 * <p>A reset ({@link #reset}) is held to the same rule: the client follows the default plan again
 * ({@code custom} false), but each default step that differs from the plan it replaces, or is
 * missing from it, gets {@code effectiveFrom = now}, exactly as if the default steps had been
 * saved as a change. Without that, a step the therapist had removed or changed would bring back
 * its default occurrences already due before the reset (a withdrawn prompt reinstated, or a
 * pending one moved to a due time in the past) and they would be sent at once.
 *
 * <p>JSON of a step (REST and storage): {@code {"stepId", "instruments":[…], "anchor":
 * {"type":"doseDay","dayOffset":-2,"localTime":"10:00"} | {"type":"afterDoseStart",
 * "offsetMinutes":180} | {"type":"weekly","dayOfWeek":"monday","localTime":"09:00"},
 * "reminderAfterMinutes"?, "expiresAfterMinutes", "path":"routine"|"crisis_path", "message"?}}.
 * Storage adds {@code effectiveFrom} per step; the API never shows or accepts it. A client back on
 * the default plan after a reset is stored as {@code {"custom": false, "effectiveFrom": {stepId:
 * instant}}}: the steps and quiet hours are not stored but read from {@link DefaultPlans}, so such
 * a client follows the default exactly as a client whose plan was never adjusted (column null).
 *
 * @param plan the steps
 * @param quietHours the client's quiet hours (local wall clock)
 * @param effectiveFrom step id → instant its definition applies from (absent: always)
 * @param custom false while the client follows the default plan
 */
public record ClientPlan(CheckinPlan plan, QuietHours quietHours, Map<String, Instant> effectiveFrom, boolean custom) {
  /** Most steps a plan may have. */
  public static final int MAX_STEPS = 60;

  public ClientPlan {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(quietHours, "quietHours");
    effectiveFrom = Map.copyOf(effectiveFrom);
  }

  /** The default integration plan with the default quiet hours (22:00–08:00). */
  public static ClientPlan defaults() {
    return new ClientPlan(DefaultPlans.integration(), QuietHours.DEFAULT, Map.of(), false);
  }

  /** The instant from which {@code stepId}'s definition applies, or null when always. */
  public Instant effectiveFrom(String stepId) {
    return effectiveFrom.get(stepId);
  }

  /**
   * The default plan again, replacing {@code previous} at {@code now}: each default step keeps its
   * effectiveFrom when {@code previous} has it unchanged and gets {@code now} otherwise, as
   * {@link #fromApi} would date it, so no occurrence due before the reset is created or reinstated.
   */
  public static ClientPlan reset(ClientPlan previous, Instant now) {
    ClientPlan d = defaults();
    return new ClientPlan(d.plan(), d.quietHours(), carried(d.plan(), previous, now), false);
  }

  /** Reads a stored plan ({@code null} column: the default plan). */
  public static ClientPlan fromStorage(JsonObject stored) {
    if (stored == null) {
      return defaults();
    }
    if (!stored.getBoolean("custom", true)) {
      return resetFromStorage(stored);
    }
    Parsed p = parse(stored, null);
    return new ClientPlan(p.plan, p.quietHours, p.effectiveFrom, true);
  }

  private static ClientPlan resetFromStorage(JsonObject stored) {
    Map<String, Instant> from = new HashMap<>();
    JsonObject instants = stored.getJsonObject("effectiveFrom", new JsonObject());
    for (String stepId : instants.fieldNames()) {
      from.put(stepId, Instant.parse(instants.getString(stepId)));
    }
    ClientPlan d = defaults();
    return new ClientPlan(d.plan(), d.quietHours(), from, false);
  }

  /** The stored form, including each step's effectiveFrom (for the default plan, only that). */
  public JsonObject toStorage() {
    if (!custom) {
      JsonObject instants = new JsonObject();
      effectiveFrom.forEach((stepId, from) -> instants.put(stepId, from.toString()));
      return new JsonObject().put("custom", false).put("effectiveFrom", instants);
    }
    JsonObject json = toApi();
    JsonArray steps = json.getJsonArray("steps");
    for (int i = 0; i < steps.size(); i++) {
      JsonObject s = steps.getJsonObject(i);
      Instant from = effectiveFrom.get(s.getString("stepId"));
      if (from != null) {
        s.put("effectiveFrom", from.toString());
      }
    }
    json.remove("custom");
    return json;
  }

  /** The API form: {@code {planId, custom, quietHours:{start,end}, steps:[…]}}. */
  public JsonObject toApi() {
    JsonArray steps = new JsonArray();
    for (PlanStep s : plan.steps()) {
      steps.add(stepJson(s));
    }
    return new JsonObject()
        .put("planId", plan.planId())
        .put("custom", custom)
        .put("quietHours", new JsonObject().put("start", hhmm(quietHours.start())).put("end", hhmm(quietHours.end())))
        .put("steps", steps);
  }

  /**
   * A plan sent by a therapist, validated against the catalog, with each step's effectiveFrom set
   * from {@code previous} (kept for unchanged steps, {@code now} for new or changed ones).
   *
   * @throws InvalidInput {@code invalid_plan} naming the offending field
   */
  public static ClientPlan fromApi(JsonObject body, InstrumentCatalog catalog, ClientPlan previous, Instant now) {
    Parsed p = parse(body, catalog);
    return new ClientPlan(p.plan, p.quietHours, carried(p.plan, previous, now), true);
  }

  /** Each step of {@code next}: its instant in {@code previous} when unchanged there, else {@code now}. */
  private static Map<String, Instant> carried(CheckinPlan next, ClientPlan previous, Instant now) {
    Map<String, Instant> from = new HashMap<>();
    for (PlanStep step : next.steps()) {
      PlanStep before = previous.plan().step(step.stepId()).orElse(null);
      if (before != null && before.equals(step)) {
        Instant kept = previous.effectiveFrom(step.stepId());
        if (kept != null) {
          from.put(step.stepId(), kept);
        }
      } else {
        from.put(step.stepId(), now);
      }
    }
    return from;
  }

  private record Parsed(CheckinPlan plan, QuietHours quietHours, Map<String, Instant> effectiveFrom) {}

  private static Parsed parse(JsonObject body, InstrumentCatalog catalog) {
    String planId = body.getString("planId", "custom");
    if (planId == null || planId.isBlank() || planId.length() > 64) {
      throw invalid("planId", "planId must be 1-64 characters");
    }
    QuietHours quiet = QuietHours.DEFAULT;
    JsonObject q = body.getJsonObject("quietHours");
    if (q != null) {
      quiet = new QuietHours(time(q.getString("start"), "quietHours.start"), time(q.getString("end"), "quietHours.end"));
    }
    JsonArray stepsJson = body.getJsonArray("steps");
    if (stepsJson == null || stepsJson.isEmpty()) {
      throw invalid("steps", "a plan needs at least one step");
    }
    if (stepsJson.size() > MAX_STEPS) {
      throw invalid("steps", "a plan may have at most " + MAX_STEPS + " steps");
    }
    List<PlanStep> steps = new ArrayList<>();
    Map<String, Instant> from = new HashMap<>();
    for (int i = 0; i < stepsJson.size(); i++) {
      String at = "steps[" + i + "]";
      Object raw = stepsJson.getValue(i);
      if (!(raw instanceof JsonObject s)) {
        throw invalid(at, at + " must be an object");
      }
      PlanStep step = step(s, at);
      if (catalog != null) {
        for (String instrument : step.instruments()) {
          if (catalog.latest(instrument).isEmpty()) {
            throw invalid(at + ".instruments", "unknown instrument " + instrument);
          }
        }
      }
      steps.add(step);
      String effective = s.getString("effectiveFrom");
      if (effective != null && catalog == null) {
        from.put(step.stepId(), Instant.parse(effective));
      }
    }
    try {
      return new Parsed(new CheckinPlan(planId, steps), quiet, from);
    } catch (IllegalArgumentException e) {
      throw invalid("steps", e.getMessage());
    }
  }

  private static PlanStep step(JsonObject s, String at) {
    try {
      String stepId = s.getString("stepId");
      JsonArray instrumentsJson = s.getJsonArray("instruments");
      if (stepId == null) {
        throw invalid(at + ".stepId", at + ".stepId is required");
      }
      if (instrumentsJson == null) {
        throw invalid(at + ".instruments", at + ".instruments is required");
      }
      List<String> instruments = new ArrayList<>();
      for (Object o : instrumentsJson) {
        if (!(o instanceof String id)) {
          throw invalid(at + ".instruments", "instrument ids are strings");
        }
        instruments.add(id);
      }
      JsonObject anchorJson = s.getJsonObject("anchor");
      if (anchorJson == null) {
        throw invalid(at + ".anchor", at + ".anchor is required");
      }
      StepAnchor anchor = anchor(anchorJson, at + ".anchor");
      Integer reminder = s.getInteger("reminderAfterMinutes");
      Integer expires = s.getInteger("expiresAfterMinutes");
      if (expires == null) {
        throw invalid(at + ".expiresAfterMinutes", at + ".expiresAfterMinutes is required");
      }
      // Named here rather than left to PlanStep, so the error points at the reminder's field.
      if (reminder != null && reminder >= expires) {
        throw invalid(at + ".reminderAfterMinutes", "the reminder must come before the check-in expires");
      }
      String pathCode = s.getString("path", "routine");
      PromptPath path = switch (pathCode) {
        case "routine" -> PromptPath.ROUTINE;
        case "crisis_path" -> PromptPath.CRISIS_PATH;
        default -> throw invalid(at + ".path", "path must be routine or crisis_path");
      };
      return new PlanStep(stepId, instruments, anchor, reminder == null ? null : Duration.ofMinutes(reminder),
          Duration.ofMinutes(expires), path, s.getString("message"));
    } catch (ClassCastException e) {
      throw invalid(at, at + " has a field of the wrong type");
    } catch (IllegalArgumentException | DateTimeException e) {
      throw invalid(at, e.getMessage());
    }
  }

  private static StepAnchor anchor(JsonObject a, String at) {
    String type = a.getString("type");
    if (type == null) {
      throw invalid(at + ".type", at + ".type is required");
    }
    return switch (type) {
      case "doseDay" -> StepAnchor.doseDay(required(a.getInteger("dayOffset"), at + ".dayOffset"),
          time(a.getString("localTime"), at + ".localTime"));
      case "afterDoseStart" -> StepAnchor.afterDoseStart(
          Duration.ofMinutes(required(a.getInteger("offsetMinutes"), at + ".offsetMinutes")));
      case "weekly" -> {
        String day = a.getString("dayOfWeek");
        if (day == null) {
          throw invalid(at + ".dayOfWeek", at + ".dayOfWeek is required");
        }
        DayOfWeek dow;
        try {
          dow = DayOfWeek.valueOf(day.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw invalid(at + ".dayOfWeek", "dayOfWeek must be monday … sunday");
        }
        yield StepAnchor.weekly(dow, time(a.getString("localTime"), at + ".localTime"));
      }
      default -> throw invalid(at + ".type", "anchor type must be doseDay, afterDoseStart or weekly");
    };
  }

  private static int required(Integer v, String field) {
    if (v == null) {
      throw invalid(field, field + " is required");
    }
    return v;
  }

  private static LocalTime time(String v, String field) {
    if (v == null || !v.matches("\\d{2}:\\d{2}")) {
      throw invalid(field, field + " must be a local time HH:MM");
    }
    try {
      return LocalTime.parse(v);
    } catch (DateTimeParseException e) {
      throw invalid(field, field + " must be a local time HH:MM");
    }
  }

  private static JsonObject stepJson(PlanStep s) {
    JsonObject anchor;
    if (s.anchor() instanceof StepAnchor.DoseDay d) {
      anchor = new JsonObject().put("type", "doseDay").put("dayOffset", d.dayOffset()).put("localTime", hhmm(d.localTime()));
    } else if (s.anchor() instanceof StepAnchor.DoseOffset o) {
      anchor = new JsonObject().put("type", "afterDoseStart").put("offsetMinutes", o.offset().toMinutes());
    } else {
      StepAnchor.Weekly w = (StepAnchor.Weekly) s.anchor();
      anchor = new JsonObject().put("type", "weekly").put("dayOfWeek", w.dayOfWeek().name().toLowerCase(Locale.ROOT))
          .put("localTime", hhmm(w.localTime()));
    }
    JsonObject json = new JsonObject()
        .put("stepId", s.stepId())
        .put("instruments", new JsonArray(s.instruments()))
        .put("anchor", anchor);
    if (s.reminderAfter() != null) {
      json.put("reminderAfterMinutes", s.reminderAfter().toMinutes());
    }
    json.put("expiresAfterMinutes", s.expiresAfter().toMinutes())
        .put("path", s.path() == PromptPath.ROUTINE ? "routine" : "crisis_path");
    if (s.message() != null) {
      json.put("message", s.message());
    }
    return json;
  }

  private static String hhmm(LocalTime t) {
    return String.format(Locale.ROOT, "%02d:%02d", t.getHour(), t.getMinute());
  }

  private static InvalidInput invalid(String field, String message) {
    return new InvalidInput("invalid_plan", field, message);
  }
}

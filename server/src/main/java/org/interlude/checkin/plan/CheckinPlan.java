package org.interlude.checkin.plan;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A named set of plan steps assigned to a client, for example the default integration plan.
 *
 * @param planId stable id of the plan (for example {@code integration.v1})
 * @param steps the steps; step ids are unique within the plan
 */
public record CheckinPlan(String planId, List<PlanStep> steps) {
  /** Checks the plan has steps and that step ids are unique. */
  public CheckinPlan {
    Objects.requireNonNull(planId, "planId");
    if (planId.isBlank()) {
      throw new IllegalArgumentException("planId must not be blank");
    }
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException(planId + ": a plan needs at least one step");
    }
    Set<String> ids = new HashSet<>();
    for (PlanStep step : steps) {
      if (!ids.add(step.stepId())) {
        throw new IllegalArgumentException(planId + ": duplicate step id " + step.stepId());
      }
    }
  }

  /** The step with {@code stepId}, if the plan has one. */
  public Optional<PlanStep> step(String stepId) {
    return steps.stream().filter(s -> s.stepId().equals(stepId)).findFirst();
  }

  /** Every instrument id the plan prompts for, in first-use order (to check against the catalog). */
  public Set<String> instrumentIds() {
    return steps.stream().flatMap(s -> s.instruments().stream())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }
}

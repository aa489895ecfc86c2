/**
 * Check-in plans relative to dosing sessions and the occurrence calculator.
 *
 * <p>Owns the plan model ({@link org.interlude.checkin.plan.CheckinPlan}, {@link
 * org.interlude.checkin.plan.PlanStep}), the default integration plan and the pure computation of
 * when each prompt is due, reminded and expired, in the client's own time zone and around quiet
 * hours. Persisting and firing occurrences is the scheduler's job, built on top of the deterministic
 * occurrence keys computed here.
 */
package org.interlude.checkin.plan;

package org.interlude.escalation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The escalation metrics (Prometheus names in brackets): pages sent
 * [{@code interlude_escalation_pages_total}], coverage gaps met while paging
 * [{@code interlude_escalation_coverage_gaps_total}], chains that ran out unanswered
 * [{@code interlude_escalation_unanswered_total}], watchdog alarms
 * [{@code interlude_escalation_watchdog_alarms_total}], steps overdue at the last watchdog pass
 * [{@code interlude_escalation_overdue_steps}], and webhook deliveries by outcome
 * [{@code interlude_escalation_webhook_deliveries_total{outcome}}].
 */
public final class EscalationMetrics {
  final Counter pages;
  final Counter coverageGaps;
  final Counter unanswered;
  final Counter watchdogAlarms;
  final Counter webhookDelivered;
  final Counter webhookRetried;
  final Counter webhookFailed;
  final AtomicInteger overdue = new AtomicInteger();

  public EscalationMetrics(MeterRegistry registry) {
    pages = Counter.builder("interlude.escalation.pages").description("pages sent to staff").register(registry);
    coverageGaps = Counter.builder("interlude.escalation.coverage.gaps")
        .description("escalation levels that resolved to nobody when due").register(registry);
    unanswered = Counter.builder("interlude.escalation.unanswered")
        .description("escalation chains that ran out without an acknowledgement").register(registry);
    watchdogAlarms = Counter.builder("interlude.escalation.watchdog.alarms")
        .description("escalation steps found overdue by the watchdog").register(registry);
    webhookDelivered = Counter.builder("interlude.escalation.webhook.deliveries").tag("outcome", "delivered")
        .register(registry);
    webhookRetried = Counter.builder("interlude.escalation.webhook.deliveries").tag("outcome", "retry")
        .register(registry);
    webhookFailed = Counter.builder("interlude.escalation.webhook.deliveries").tag("outcome", "failed")
        .register(registry);
    Gauge.builder("interlude.escalation.overdue.steps", overdue, AtomicInteger::get)
        .description("escalation steps overdue beyond the watchdog threshold").register(registry);
  }

  public double watchdogAlarmCount() {
    return watchdogAlarms.count();
  }

  public double pageCount() {
    return pages.count();
  }
}

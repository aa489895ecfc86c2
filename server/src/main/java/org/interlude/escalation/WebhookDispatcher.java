package org.interlude.escalation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.interlude.crypto.TamperedCiphertextException;
import org.interlude.crypto.WrappedKey;
import org.interlude.storage.PgErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the webhook outbox. Any node may send any delivery: it claims due rows with
 * {@code FOR UPDATE SKIP LOCKED}, taking a lease (until {@code lease_until}) and a new
 * {@code lease_token}, commits, and only then makes the HTTP request, signed over the exact body
 * ({@link WebhookSignature}) with the page's {@code Idempotency-Key}. The outcome is written back
 * only if the lease token is still its own, so a node that was paused past its lease neither
 * overwrites a newer attempt nor, having checked its lease before sending, sends at all once the
 * lease ran out. A 2xx answer delivers; anything else (or no answer) is retried after
 * {@code 5s · 2^(attempt-1)}, at most 10 minutes, until {@code max_attempts}, then the delivery
 * fails with an ERROR log and a timeline entry. Retries survive restarts: the state is the row.
 */
public final class WebhookDispatcher {
  static final Duration BACKOFF_BASE = Duration.ofSeconds(5);
  static final Duration BACKOFF_MAX = Duration.ofMinutes(10);
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
  private static final int BATCH = 20;

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Webhooks webhooks;
  private final EscalationMetrics metrics;
  private final Duration timeout;
  private final int maxAttempts;
  private final HttpClientAgent http;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile boolean again;
  private volatile boolean active;

  public WebhookDispatcher(Vertx vertx, Pool pool, Clock clock, Webhooks webhooks, EscalationMetrics metrics,
      Duration timeout, int maxAttempts) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.webhooks = webhooks;
    this.metrics = metrics;
    this.timeout = timeout;
    this.maxAttempts = maxAttempts;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) timeout.toMillis())
        .setKeepAlive(false).setVerifyHost(true));
  }

  /** The wait before attempt {@code attempts + 1}. */
  static Duration backoff(int attempts) {
    int exp = Math.max(0, Math.min(attempts - 1, 20));
    Duration d = BACKOFF_BASE.multipliedBy(1L << exp);
    return d.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : d;
  }

  /** Lets {@link #kick} start passes; the module activates it with the node's timers. */
  void activate() {
    active = true;
  }

  /**
   * Schedules a pass soon (after a commit that queued deliveries) on an active node, so a page
   * goes out at once instead of at the next timer tick.
   */
  void kick() {
    if (active) {
      vertx.runOnContext(v -> poll());
    }
  }

  private record Claimed(long seq, UUID id, UUID incidentId, String event, String key, String body, long leaseToken, int attempts,
      Instant leaseUntil, UUID endpointId, String url, String format, boolean enabled, WrappedKey dk, byte[] secret,
      byte[] routingKey) {}

  /**
   * One pass: claims due deliveries and sends them; completes when every claimed one has an
   * outcome recorded. Returns how many were attempted. Overlapping calls on one node coalesce.
   */
  public Future<Integer> poll() {
    if (!running.compareAndSet(false, true)) {
      again = true;
      return Future.succeededFuture(0);
    }
    return claim(clock.instant())
        .compose(list -> {
          // One incident's events go to one endpoint in the order they happened (trigger,
          // acknowledge, resolve); different incidents are sent side by side.
          Map<String, List<Claimed>> byIncident = new LinkedHashMap<>();
          for (Claimed c : list) {
            byIncident.computeIfAbsent(c.endpointId() + "/" + c.incidentId(), k -> new ArrayList<>()).add(c);
          }
          List<Future<Void>> all = new ArrayList<>();
          for (List<Claimed> group : byIncident.values()) {
            Future<Void> chain = Future.succeededFuture();
            for (Claimed c : group) {
              chain = chain.compose(v -> deliver(c).recover(err -> {
                log.warn("webhook delivery bookkeeping failed deliveryId={} type={}", c.id(),
                    PgErrors.map(err).getClass().getSimpleName());
                return Future.succeededFuture();
              }));
            }
            all.add(chain);
          }
          return Future.join(all).map(x -> list.size());
        })
        .recover(err -> {
          log.warn("webhook dispatch pass failed type={}", PgErrors.map(err).getClass().getSimpleName());
          return Future.succeededFuture(0);
        })
        .andThen(ar -> {
          running.set(false);
          if (again) {
            again = false;
            kick();
          }
        });
  }

  private Future<List<Claimed>> claim(Instant now) {
    Instant leaseUntil = now.plus(timeout).plusSeconds(5);
    return pool.withTransaction(tx -> tx.preparedQuery("UPDATE webhook_delivery d SET lease_until = $2,"
                + " lease_token = d.lease_token + 1, attempts = d.attempts + 1 FROM webhook_endpoint e"
                + " WHERE e.id = d.endpoint_id AND d.id IN (SELECT id FROM webhook_delivery WHERE status = 'pending'"
                + " AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)"
                + " ORDER BY next_attempt_at, seq LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED)"
                + " RETURNING d.seq, d.id, d.incident_id, d.event, d.idempotency_key, d.body, d.lease_token, d.attempts,"
                + " d.lease_until, e.id AS endpoint_id, e.url, e.format, e.enabled, e.dk_version, e.dk_wrapped,"
                + " e.secret_sealed, e.routing_key_sealed")
            .execute(Tuple.of(Times.odt(now), Times.odt(leaseUntil))))
        .map(rows -> {
          List<Claimed> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new Claimed(r.getLong("seq"), r.getUUID("id"), r.getUUID("incident_id"), r.getString("event"),
                r.getString("idempotency_key"), r.getString("body"), r.getLong("lease_token"), r.getInteger("attempts"),
                IncidentRow.instant(r, "lease_until"), r.getUUID("endpoint_id"), r.getString("url"), r.getString("format"),
                r.getBoolean("enabled"), new WrappedKey(r.getInteger("dk_version"), r.getBuffer("dk_wrapped").getBytes()),
                r.getBuffer("secret_sealed").getBytes(),
                r.getBuffer("routing_key_sealed") == null ? null : r.getBuffer("routing_key_sealed").getBytes()));
          }
          out.sort(Comparator.comparingLong(Claimed::seq));
          return out;
        });
  }

  private Future<Void> deliver(Claimed c) {
    if (!c.enabled()) {
      return finish(c, "cancelled", null, "endpoint disabled");
    }
    Webhooks.Secrets secrets;
    try {
      secrets = webhooks.open(c.endpointId(), c.dk(), c.secret(), c.routingKey());
    } catch (TamperedCiphertextException | IllegalStateException e) {
      log.error("webhook secret cannot be opened endpointId={} deliveryId={}", c.endpointId(), c.id());
      return failed(c, null, "secret_unreadable");
    }
    String body = c.body();
    if (WebhookPayloads.PAGERDUTY.equals(c.format())) {
      body = new JsonObject(body).put("routing_key", secrets.routingKey()).encode();
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Instant now = clock.instant();
    if (!now.isBefore(c.leaseUntil())) {
      // This node was held up past its lease (paused, partitioned): another node owns the
      // delivery now. Sending as well would be a duplicate page.
      return Future.succeededFuture();
    }
    long ts = now.getEpochSecond();
    RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(c.url())
        .setTimeout(timeout.toMillis()).setFollowRedirects(false)
        .putHeader("Content-Type", "application/json")
        .putHeader("User-Agent", "Interlude-Webhook/1")
        .putHeader(WebhookSignature.TIMESTAMP_HEADER, Long.toString(ts))
        .putHeader(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secrets.secret(), ts, bytes))
        .putHeader(WebhookSignature.IDEMPOTENCY_HEADER, c.key())
        .putHeader("X-Interlude-Delivery", c.id().toString())
        .putHeader("X-Interlude-Attempt", Integer.toString(c.attempts()));
    java.util.Arrays.fill(secrets.secret(), (byte) 0);
    return http.request(ro)
        .compose(req -> req.send(Buffer.buffer(bytes)))
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .transform(ar -> {
          if (ar.succeeded() && ar.result() / 100 == 2) {
            return finish(c, "delivered", ar.result(), null);
          }
          Integer status = ar.succeeded() ? ar.result() : null;
          String error = ar.succeeded() ? "HTTP " + ar.result() : ar.cause().getClass().getSimpleName();
          return failed(c, status, error);
        });
  }

  private Future<Void> failed(Claimed c, Integer status, String error) {
    if (c.attempts() >= maxAttempts) {
      return finish(c, "failed", status, error);
    }
    Instant next = clock.instant().plus(backoff(c.attempts()));
    return pool.preparedQuery("UPDATE webhook_delivery SET next_attempt_at = $3, lease_until = NULL, last_status = $4,"
            + " last_error = $5 WHERE id = $1 AND lease_token = $2 AND status = 'pending'")
        .execute(Tuple.of(c.id(), c.leaseToken(), Times.odt(next), status, error))
        .map(r -> {
          if (r.rowCount() == 1) {
            metrics.webhookRetried.increment();
            log.warn("webhook delivery failed, will retry deliveryId={} incidentId={} attempt={} error={} nextInSeconds={}",
                c.id(), c.incidentId(), c.attempts(), error, backoff(c.attempts()).toSeconds());
          }
          return null;
        });
  }

  private Future<Void> finish(Claimed c, String status, Integer httpStatus, String error) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> tx.preparedQuery("UPDATE webhook_delivery SET status = $3, lease_until = NULL,"
                + " last_status = $4, last_error = $5, delivered_at = $6"
                + " WHERE id = $1 AND lease_token = $2 AND status = 'pending'")
            .execute(Tuple.from(new Object[] {c.id(), c.leaseToken(), status, httpStatus, error,
                status.equals("delivered") ? Times.odt(now) : null}))
            .compose(r -> {
              if (r.rowCount() == 0 || !status.equals("failed")) {
                return Future.succeededFuture(r.rowCount() == 1);
              }
              return Timeline.event(c.incidentId(), now, "webhook_failed")
                  .detail(new JsonObject().put("deliveryId", c.id().toString()).put("event", c.event())
                      .put("attempts", c.attempts()).put("error", error))
                  .write(tx).map(v -> true);
            }))
        .map(updated -> {
          if (updated) {
            switch (status) {
              case "delivered" -> metrics.webhookDelivered.increment();
              case "failed" -> {
                metrics.webhookFailed.increment();
                log.error("webhook delivery given up deliveryId={} incidentId={} attempts={} error={}", c.id(),
                    c.incidentId(), c.attempts(), error);
              }
              default -> log.info("webhook delivery cancelled deliveryId={} incidentId={}", c.id(), c.incidentId());
            }
          }
          return null;
        });
  }

  public Future<Void> close() {
    return http.close();
  }
}

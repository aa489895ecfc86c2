package org.interlude.escalation;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.interlude.audit.AuditEvent;
import org.interlude.audit.AuditLog;
import org.interlude.crypto.Aad;
import org.interlude.crypto.Aead;
import org.interlude.crypto.DataKeys;
import org.interlude.crypto.TamperedCiphertextException;
import org.interlude.crypto.WrappedKey;
import org.interlude.identity.Access;
import org.interlude.identity.Actor;
import org.interlude.identity.InvalidInput;
import org.interlude.identity.Role;
import org.interlude.storage.Flight;
import org.interlude.storage.PgErrors;

/**
 * The clinic's outbound webhook: its configuration (admin only; the signing secret and a
 * PagerDuty routing key are sealed under the row's own data key and never returned) and the
 * outbox rows the escalation engine writes in its transactions. Sending is
 * {@link WebhookDispatcher}'s job, after commit.
 */
public final class Webhooks {
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

  private final Pool pool;
  private final DataKeys dataKeys;
  private final AuditLog audit;
  private final Clock clock;
  private final URI publicUrl;

  public Webhooks(Pool pool, DataKeys dataKeys, AuditLog audit, Clock clock, URI publicUrl) {
    this.pool = pool;
    this.dataKeys = dataKeys;
    this.audit = audit;
    this.clock = clock;
    this.publicUrl = publicUrl;
  }

  /** The endpoint's secrets, opened for signing. */
  record Secrets(byte[] secret, String routingKey) {}

  /** The clinic's webhook without its secrets: {@code {configured:false}} when none. */
  public Future<JsonObject> get(Actor admin) {
    return Access.requireRole(admin, Role.ADMIN)
        .compose(v -> pool.preparedQuery("SELECT id, url, format, enabled, routing_key_sealed IS NOT NULL AS has_rk,"
                + " updated_at FROM webhook_endpoint WHERE clinic_id = $1")
            .execute(Tuple.of(admin.clinicId())).recover(PgErrors::recover))
        .map(rows -> {
          if (rows.size() == 0) {
            return new JsonObject().put("configured", false);
          }
          Row r = rows.iterator().next();
          return new JsonObject().put("configured", true).put("id", r.getUUID("id").toString())
              .put("url", r.getString("url")).put("format", r.getString("format")).put("enabled", r.getBoolean("enabled"))
              .put("hasSecret", true).put("hasRoutingKey", r.getBoolean("has_rk"))
              .put("updatedAt", IncidentRow.instant(r, "updated_at").toString());
        });
  }

  /**
   * Sets (or replaces) the clinic's webhook. {@code url} must be https (plain http only to a
   * loopback address, for a gateway on the same host); {@code secret} 32-256 characters shared
   * with the receiver; {@code routingKey} required for the pagerduty format.
   */
  public Future<Void> put(Actor admin, String url, String format, String secret, String routingKey) {
    return Access.requireRole(admin, Role.ADMIN).compose(v -> {
      String u = checkUrl(url);
      String f = format == null ? WebhookPayloads.INTERLUDE : format.trim().toLowerCase(Locale.ROOT);
      if (!f.equals(WebhookPayloads.INTERLUDE) && !f.equals(WebhookPayloads.PAGERDUTY)) {
        throw new InvalidInput("invalid_format", "format", "use interlude or pagerduty");
      }
      if (secret == null || secret.length() < 32 || secret.length() > 256) {
        throw new InvalidInput("invalid_secret", "secret", "the signing secret must be 32-256 characters");
      }
      if (f.equals(WebhookPayloads.PAGERDUTY) && (routingKey == null || routingKey.isBlank() || routingKey.length() > 128)) {
        throw new InvalidInput("routing_key_required", "routingKey", "the pagerduty format needs its routing key");
      }
      Instant now = clock.instant();
      return audit.transaction(pool, tx -> tx.preparedQuery("SELECT id FROM webhook_endpoint WHERE clinic_id = $1 FOR UPDATE")
          .execute(Tuple.of(admin.clinicId()))
          .compose(rows -> {
            UUID id = rows.size() == 0 ? UUID.randomUUID() : rows.iterator().next().getUUID("id");
            byte[] dk = dataKeys.newDataKey();
            try {
              WrappedKey wrapped = dataKeys.wrap(dk, scope(id));
              byte[] sealedSecret = Aead.seal(dk, secret.getBytes(StandardCharsets.UTF_8), aad(id, "secret"));
              byte[] sealedRk = routingKey == null || routingKey.isBlank() ? null
                  : Aead.seal(dk, routingKey.trim().getBytes(StandardCharsets.UTF_8), aad(id, "routing_key"));
              return tx.preparedQuery("INSERT INTO webhook_endpoint (id, clinic_id, url, format, dk_version, dk_wrapped,"
                      + " secret_sealed, routing_key_sealed, enabled, created_at, updated_at)"
                      + " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,true,$9,$9) ON CONFLICT (id) DO UPDATE SET url = $3, format = $4,"
                      + " dk_version = $5, dk_wrapped = $6, secret_sealed = $7, routing_key_sealed = $8, enabled = true,"
                      + " updated_at = $9")
                  .execute(Tuple.from(new Object[] {id, admin.clinicId(), u, f, wrapped.version(),
                      Buffer.buffer(wrapped.bytes()), Buffer.buffer(sealedSecret),
                      sealedRk == null ? null : Buffer.buffer(sealedRk), Times.odt(now)}))
                  .compose(r -> audit.record(tx, AuditEvent.of("webhook.configure").clinic(admin.clinicId())
                      .actor(admin.userId(), admin.auditRole()).object("webhook_endpoint", id)
                      .source(admin.sourceIp(), admin.correlationId()).build()));
            } finally {
              java.util.Arrays.fill(dk, (byte) 0);
            }
          })).recover(PgErrors::recover);
    });
  }

  /** Turns the clinic's webhook off; deliveries not yet sent are cancelled. */
  public Future<Void> disable(Actor admin) {
    return Access.requireRole(admin, Role.ADMIN).compose(v -> audit.transaction(pool, tx -> tx.preparedQuery(
                "UPDATE webhook_endpoint SET enabled = false, updated_at = $2 WHERE clinic_id = $1 RETURNING id")
            .execute(Tuple.of(admin.clinicId(), Times.odt(clock.instant())))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.succeededFuture();
              }
              UUID id = rows.iterator().next().getUUID("id");
              return tx.preparedQuery("UPDATE webhook_delivery SET status = 'cancelled', lease_until = NULL"
                      + " WHERE endpoint_id = $1 AND status = 'pending'").execute(Tuple.of(id))
                  .compose(r -> audit.record(tx, AuditEvent.of("webhook.disable").clinic(admin.clinicId())
                      .actor(admin.userId(), admin.auditRole()).object("webhook_endpoint", id)
                      .source(admin.sourceIp(), admin.correlationId()).build()));
            }))
        .recover(PgErrors::recover));
  }

  static String checkUrl(String url) {
    URI u;
    try {
      u = url == null ? null : URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      u = null;
    }
    if (u == null || u.getHost() == null || u.getScheme() == null || u.getUserInfo() != null || url.length() > 2000) {
      throw new InvalidInput("invalid_url", "url", "give an absolute https:// URL");
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    boolean loopback = LOOPBACK.contains(u.getHost().toLowerCase(Locale.ROOT));
    if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
      throw new InvalidInput("invalid_url", "url", "webhooks must use https:// (plain http only to a loopback address)");
    }
    return u.toString();
  }

  static String scope(UUID endpointId) {
    return "webhook/" + endpointId;
  }

  private static byte[] aad(UUID endpointId, String what) {
    return Aad.of("interlude/webhook-" + what + "/v1", endpointId.toString());
  }

  /** Opens an endpoint's secrets for signing one request. */
  Secrets open(UUID endpointId, WrappedKey wrapped, byte[] sealedSecret, byte[] sealedRoutingKey)
      throws TamperedCiphertextException {
    byte[] dk = dataKeys.unwrap(wrapped, scope(endpointId));
    try {
      byte[] secret = Aead.open(dk, sealedSecret, aad(endpointId, "secret"));
      String rk = sealedRoutingKey == null ? null
          : new String(Aead.open(dk, sealedRoutingKey, aad(endpointId, "routing_key")), StandardCharsets.UTF_8);
      return new Secrets(secret, rk);
    } finally {
      java.util.Arrays.fill(dk, (byte) 0);
    }
  }

  private record Endpoint(UUID id, String format) {}

  private Future<List<Endpoint>> endpoints(SqlConnection tx, UUID clinicId) {
    return tx.preparedQuery("SELECT id, format FROM webhook_endpoint WHERE clinic_id = $1 AND enabled")
        .execute(Tuple.of(clinicId)).map(rows -> {
          List<Endpoint> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new Endpoint(r.getUUID("id"), r.getString("format")));
          }
          return out;
        });
  }

  /**
   * Queues one delivery of {@code event} per enabled endpoint of the incident's clinic, inside
   * the caller's transaction. {@code idempotencyKey} is the page's key for a page, so the
   * receiver can drop a repeat. Returns whether anything was queued.
   */
  Future<Boolean> enqueue(SqlConnection tx, IncidentRow inc, String event, String idempotencyKey, UUID pageId,
      UUID userId, Integer level, Instant now) {
    return endpoints(tx, inc.clinicId).compose(eps -> {
      // One delivery row per endpoint; the inserts are independent, so they go out together.
      List<Future<?>> inserts = new ArrayList<>();
      for (Endpoint ep : eps) {
        JsonObject body = WebhookPayloads.body(ep.format(), event, idempotencyKey, inc.id, inc.clinicId, inc.severity,
            publicUrl, now, userId, level);
        if (body == null) {
          continue;
        }
        inserts.add(tx.preparedQuery("INSERT INTO webhook_delivery (id, endpoint_id, incident_id, page_id, event,"
                + " idempotency_key, body, status, next_attempt_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,'pending',$8,$8)"
                + " ON CONFLICT (endpoint_id, idempotency_key) DO NOTHING")
            .execute(Tuple.from(new Object[] {UUID.randomUUID(), ep.id(), inc.id, pageId, event, idempotencyKey,
                body.encode(), Times.odt(now)})));
      }
      return inserts.isEmpty() ? Future.succeededFuture(false) : Flight.all(inserts).map(v -> true);
    });
  }

  /**
   * Cancels page deliveries of the incident that no node is sending right now: an
   * acknowledgement or resolution stops paging at once, including pages queued but not yet out.
   */
  Future<Void> cancelPendingPages(SqlConnection tx, UUID incidentId, Instant now) {
    return tx.preparedQuery("UPDATE webhook_delivery SET status = 'cancelled' WHERE incident_id = $1 AND event = 'page'"
            + " AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $2)")
        .execute(Tuple.of(incidentId, Times.odt(now))).mapEmpty();
  }
}

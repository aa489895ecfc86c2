package org.interlude.audit;

import java.util.UUID;

/**
 * One audit fact: who did what to which object, with what outcome, from where. Identifiers and
 * codes only: never message bodies, answers, names or tokens. Nullable fields: {@code clinicId}
 * (an unknown user's failed login), {@code actorId}/{@code actorRole} (anonymous), and the
 * subject and object fields when the action names none.
 */
public record AuditEvent(
    UUID clinicId,
    UUID actorId,
    String actorRole,
    UUID subjectClient,
    String objectType,
    String objectId,
    String action,
    Outcome outcome,
    String sourceIp,
    String correlationId) {

  /** How the audited action ended. */
  public enum Outcome {
    SUCCESS,
    FAILURE,
    DENIED;

    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static Builder of(String action) {
    return new Builder(action);
  }

  /** Fluent construction; unset fields stay null. */
  public static final class Builder {
    private final String action;
    private UUID clinicId;
    private UUID actorId;
    private String actorRole;
    private UUID subjectClient;
    private String objectType;
    private String objectId;
    private Outcome outcome = Outcome.SUCCESS;
    private String sourceIp;
    private String correlationId;

    private Builder(String action) {
      this.action = action;
    }

    public Builder clinic(UUID v) { clinicId = v; return this; }
    public Builder actor(UUID id, String role) { actorId = id; actorRole = role; return this; }
    public Builder subject(UUID v) { subjectClient = v; return this; }
    public Builder object(String type, Object id) { objectType = type; objectId = id == null ? null : id.toString(); return this; }
    public Builder outcome(Outcome v) { outcome = v; return this; }
    public Builder source(String ip, String correlation) { sourceIp = ip; correlationId = correlation; return this; }

    public AuditEvent build() {
      return new AuditEvent(clinicId, actorId, actorRole, subjectClient, objectType, objectId, action, outcome,
          sourceIp, correlationId);
    }
  }
}

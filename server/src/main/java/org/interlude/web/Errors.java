package org.interlude.web;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import org.interlude.identity.Denied;
import org.interlude.identity.InvalidInput;
import org.interlude.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from typed errors to HTTP statuses and WebSocket error codes. Unknown failures
 * become 500 / {@code internal} with a generic message; their details go to the log by class
 * and correlation id, never with request content.
 */
public final class Errors {
  private static final Logger log = LoggerFactory.getLogger(Errors.class);

  private Errors() {}

  /** An HTTP status and the error body. */
  public record Mapped(int status, JsonObject body) {
    public String code() {
      return body.getString("error");
    }
  }

  public static Mapped map(Throwable t, String correlationId) {
    if (t instanceof io.vertx.ext.web.handler.HttpException h) {
      if (h.getCause() != null) {
        return map(h.getCause(), correlationId);
      }
      int status = h.getStatusCode();
      return new Mapped(status, body(status == 413 ? "too_large" : status >= 500 ? "internal" : "invalid_request",
          status == 413 ? "the request body is too large" : "the request is not valid", null));
    }
    if (t instanceof Denied d) {
      return switch (d.kind()) {
        case UNAUTHENTICATED -> new Mapped(401, body(d.code(), d.getMessage(), null));
        case NOT_FOUND -> new Mapped(404, body("not_found", d.getMessage(), null));
        case STEP_UP -> new Mapped(403, body(d.code(), d.getMessage(), null));
      };
    }
    if (t instanceof InvalidInput i) {
      return new Mapped(400, body(i.code(), i.getMessage(), i.field()));
    }
    if (t instanceof SchemaValidationException s) {
      String field = field(s.getOutputUnit());
      String why = reason(s);
      String message = field == null ? "the request body is not valid: " + why
          : why.contains("does not have required property") ? field + " is required"
          : "invalid value for " + field + ": " + why;
      return new Mapped(400, body("invalid_request", message, field));
    }
    if (t instanceof ValidatorException v) {
      return new Mapped(400, body("invalid_request", v.getMessage(), null));
    }
    if (t instanceof StorageException.NotFound) {
      return new Mapped(404, body("not_found", "not found", null));
    }
    if (t instanceof StorageException.Duplicate) {
      return new Mapped(409, body("duplicate", "that already exists", null));
    }
    if (t instanceof StorageException.Conflict) {
      return new Mapped(409, body("conflict", "the request conflicts with the current state; reload and retry", null));
    }
    if (t instanceof StorageException.Unavailable) {
      Throwable cause = t.getCause();
      log.warn("database unavailable correlationId={} cause={}", correlationId,
          cause == null ? "-" : cause.getClass().getName() + ": " + cause.getMessage());
      return new Mapped(503, body("unavailable", "the service is temporarily unavailable; retry shortly", null));
    }
    log.error("unexpected failure correlationId={} type={}", correlationId, t.getClass().getName(), t);
    return new Mapped(500, body("internal", "something went wrong on our side; the request was not completed", null));
  }

  static JsonObject body(String code, String message, String field) {
    JsonObject o = new JsonObject().put("error", code).put("message", message);
    if (field != null) {
      o.put("field", field);
    }
    return o;
  }

  // The JSON pointer of the deepest failing instance, as a dotted field name.
  private static String field(OutputUnit unit) {
    if (unit == null) {
      return null;
    }
    String best = null;
    if (unit.getErrors() != null) {
      for (OutputUnit e : unit.getErrors()) {
        String f = field(e);
        if (f != null && (best == null || f.length() > best.length())) {
          best = f;
        }
      }
    }
    if (best != null) {
      return best;
    }
    String loc = unit.getInstanceLocation();
    if (loc == null) {
      return null;
    }
    String f = loc.replaceFirst("^#?/?", "").replace('/', '.');
    if (f.isEmpty()) {
      String err = unit.getError() == null ? "" : unit.getError();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("property \"?([A-Za-z0-9_]+)\"?").matcher(err);
      return m.find() ? m.group(1) : null;
    }
    return f;
  }

  private static String reason(SchemaValidationException s) {
    OutputUnit u = s.getOutputUnit();
    while (u != null && u.getErrors() != null && !u.getErrors().isEmpty()) {
      u = u.getErrors().get(u.getErrors().size() - 1);
    }
    String msg = u == null || u.getError() == null ? s.getMessage() : u.getError();
    return msg.length() > 200 ? msg.substring(0, 200) : msg;
  }
}

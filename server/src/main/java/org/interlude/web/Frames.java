package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.interlude.identity.Role;

/**
 * Inbound frame dispatch. Each frame type of docs/asyncapi.yaml's receive operations has exactly
 * one handler (checked at start, both ways) and the roles that may send it. Every frame is parsed,
 * validated against its schema, checked against the role list, then handled; any failure becomes
 * one {@code error} frame ({@code code}, {@code message}, the frame's {@code ref}) and the socket
 * stays open.
 */
public final class Frames {
  /** Handles one validated frame from an authenticated socket. */
  @FunctionalInterface
  public interface Handler {
    Future<Void> handle(Socket socket, JsonObject frame);
  }

  /** A frame type's handler and who may send it (empty: any signed-in user). */
  public record Spec(String type, Set<Role> roles, Handler handler) {}

  private final FrameSchemas schemas;
  private final Map<String, Spec> specs = new ConcurrentHashMap<>();
  private volatile boolean accepting = true;

  public Frames(FrameSchemas schemas) {
    this.schemas = schemas;
  }

  public void register(String type, Set<Role> roles, Handler handler) {
    if (!schemas.knows(type)) {
      throw new IllegalStateException("frame type " + type + " has a handler but is not in asyncapi.yaml");
    }
    if (specs.putIfAbsent(type, new Spec(type, Set.copyOf(roles), handler)) != null) {
      throw new IllegalStateException("frame type " + type + " has two handlers");
    }
  }

  /** Fails the start when a documented inbound frame type has no handler. */
  public void checkComplete() {
    for (String t : schemas.types()) {
      if (!specs.containsKey(t)) {
        throw new IllegalStateException("frame type " + t + " is documented in asyncapi.yaml but has no handler");
      }
    }
  }

  public Map<String, Spec> specs() {
    return Map.copyOf(specs);
  }

  /** On shutdown: frames are refused (unavailable) so clients resend them to another node. */
  public void stopAccepting() {
    accepting = false;
  }

  void dispatch(Socket socket, String text) {
    if (!accepting) {
      socket.send(error("unavailable", "the server is restarting; reconnect and send again", null, null));
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      socket.send(error("malformed", "the frame is not a JSON object", null, null));
      return;
    }
    Object refValue = frame.getValue("ref");
    String ref = refValue instanceof String s && s.length() <= 64 ? s : null;
    Object typeValue = frame.getValue("type");
    if (!(typeValue instanceof String type)) {
      socket.send(error("invalid_frame", "the frame needs a string field \"type\"", "type", ref));
      return;
    }
    if (!schemas.knows(type)) {
      socket.send(error("unknown_type", "unknown frame type \"" + clip(type) + "\"", "type", ref));
      return;
    }
    Optional<FrameSchemas.Problem> problem = schemas.validate(type, frame);
    if (problem.isPresent()) {
      FrameSchemas.Problem p = problem.get();
      socket.send(error("invalid_frame", type + ": " + (p.field() == null ? "" : p.field() + ": ") + clip(p.reason()),
          p.field(), ref));
      return;
    }
    Spec spec = specs.get(type);
    if (!spec.roles().isEmpty() && !socket.actor().hasAny(spec.roles())) {
      socket.send(error("not_found", "not found", null, ref));
      return;
    }
    Future<Void> done;
    try {
      done = spec.handler().handle(socket, frame);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onFailure(err -> {
      Errors.Mapped m = Errors.map(err, "ws-" + socket.id());
      JsonObject body = m.body();
      socket.send(error(body.getString("error"), body.getString("message"), body.getString("field"), ref));
    });
  }

  public static JsonObject error(String code, String message, String field, String ref) {
    JsonObject e = new JsonObject().put("type", "error").put("code", code).put("message", message);
    if (field != null) {
      e.put("field", field);
    }
    if (ref != null) {
      e.put("ref", ref);
    }
    return e;
  }

  private static String clip(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}

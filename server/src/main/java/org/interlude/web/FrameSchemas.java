package org.interlude.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The JSON Schemas of every frame a client may send, read from docs/asyncapi.yaml (shipped as
 * {@code contract/asyncapi.yaml}): the payloads of the messages of every {@code receive}
 * operation, keyed by message name (the frame's {@code type}). Inbound frames are validated
 * against these before any handler sees them.
 */
public final class FrameSchemas {
  public static final String CONTRACT = "contract/asyncapi.yaml";
  private final Map<String, Validator> validators;
  private final Map<String, Validator> quick;
  private final Map<String, JsonObject> schemas;

  private FrameSchemas(Map<String, Validator> validators, Map<String, Validator> quick, Map<String, JsonObject> schemas) {
    this.validators = validators;
    this.quick = quick;
    this.schemas = schemas;
  }

  public static FrameSchemas load() {
    JsonObject doc = read();
    Map<String, Validator> validators = new LinkedHashMap<>();
    Map<String, Validator> quick = new LinkedHashMap<>();
    Map<String, JsonObject> schemas = new LinkedHashMap<>();
    JsonSchemaOptions options = new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
        .setBaseUri("app:///asyncapi").setOutputFormat(OutputFormat.Basic);
    JsonObject operations = doc.getJsonObject("operations", new JsonObject());
    for (String opName : operations.fieldNames()) {
      JsonObject op = operations.getJsonObject(opName);
      if (!"receive".equals(op.getString("action"))) {
        continue;
      }
      for (Object m : op.getJsonArray("messages", new JsonArray())) {
        JsonObject message = (JsonObject) deref(doc, (JsonObject) m);
        String name = message.getString("name");
        JsonObject payload = (JsonObject) inline(doc, message.getJsonObject("payload"));
        if (name == null || payload == null) {
          throw new IllegalStateException("asyncapi.yaml: a received message lacks a name or payload");
        }
        schemas.put(name, payload);
        validators.put(name, Validator.create(JsonSchema.of(payload), options));
        // The flag format stops at the first failure and builds no error tree: every valid frame
        // (nearly all of them) pays only for that; a failing one is validated again for details.
        quick.put(name, Validator.create(JsonSchema.of(payload), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
            .setBaseUri("app:///asyncapi").setOutputFormat(OutputFormat.Flag)));
      }
    }
    return new FrameSchemas(validators, quick, schemas);
  }

  public boolean knows(String type) {
    return validators.containsKey(type);
  }

  public java.util.Set<String> types() {
    return validators.keySet();
  }

  public JsonObject schema(String type) {
    return schemas.get(type);
  }

  /** Empty when valid; otherwise the offending field (dotted) and a short reason. */
  public Optional<Problem> validate(String type, JsonObject frame) {
    if (Boolean.TRUE.equals(quick.get(type).validate(frame).getValid())) {
      return Optional.empty();
    }
    OutputUnit out = validators.get(type).validate(frame);
    if (Boolean.TRUE.equals(out.getValid())) {
      return Optional.empty();
    }
    OutputUnit worst = out;
    if (out.getErrors() != null && !out.getErrors().isEmpty()) {
      worst = out.getErrors().get(out.getErrors().size() - 1);
      for (OutputUnit e : out.getErrors()) {
        String loc = e.getInstanceLocation();
        if (loc != null && loc.length() > 1 && (worst.getInstanceLocation() == null || worst.getInstanceLocation().length() <= 1)) {
          worst = e;
        }
      }
    }
    String loc = worst.getInstanceLocation() == null ? "" : worst.getInstanceLocation().replaceFirst("^#?/?", "").replace('/', '.');
    String error = worst.getError() == null ? "invalid" : worst.getError();
    if (loc.isEmpty()) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("property \"([A-Za-z0-9_]+)\"").matcher(error);
      if (m.find()) {
        loc = m.group(1);
      }
    }
    return Optional.of(new Problem(loc.isEmpty() ? null : loc, error));
  }

  /** Why a frame failed validation. */
  public record Problem(String field, String reason) {}

  private static JsonObject read() {
    try (InputStream in = FrameSchemas.class.getClassLoader().getResourceAsStream(CONTRACT)) {
      if (in == null) {
        throw new IllegalStateException(CONTRACT + " is missing from the build");
      }
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      @SuppressWarnings("unchecked")
      JsonObject json = new JsonObject((Map<String, Object>) doc);
      return new JsonObject(json.encode());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object deref(JsonObject doc, JsonObject node) {
    String ref = node.getString("$ref");
    if (ref == null) {
      return node;
    }
    if (!ref.startsWith("#/")) {
      throw new IllegalStateException("asyncapi.yaml: only local $refs are supported, got " + ref);
    }
    Object cur = doc;
    for (String part : ref.substring(2).split("/")) {
      cur = ((JsonObject) cur).getValue(part.replace("~1", "/").replace("~0", "~"));
      if (cur == null) {
        throw new IllegalStateException("asyncapi.yaml: unresolved $ref " + ref);
      }
    }
    return cur instanceof JsonObject j ? deref(doc, j) : cur;
  }

  // Replaces every local $ref in a schema by its target, so each payload is self-contained.
  private static Object inline(JsonObject doc, Object node) {
    if (node instanceof JsonObject o) {
      if (o.containsKey("$ref")) {
        return inline(doc, deref(doc, o));
      }
      JsonObject copy = new JsonObject();
      for (String k : o.fieldNames()) {
        copy.put(k, inline(doc, o.getValue(k)));
      }
      return copy;
    }
    if (node instanceof JsonArray a) {
      JsonArray copy = new JsonArray();
      for (Object x : a) {
        copy.add(inline(doc, x));
      }
      return copy;
    }
    return node;
  }
}

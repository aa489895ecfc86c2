package org.interlude.config;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A schema-driven reader over the merged YAML document and environment.
 *
 * <p>Every typed getter names a dotted key ({@code http.port}), checks the value and records a
 * problem naming the key when it is wrong, instead of throwing at the first one. The environment
 * variable {@code INTERLUDE_} + the key in upper case with dots and dashes as underscores
 * ({@code INTERLUDE_HTTP_PORT}) overrides the YAML value. After all records are built,
 * {@link #finish()} reports YAML keys that no getter asked for (typos must not be ignored in a
 * clinical system), and throws a {@link ConfigException} listing every problem.
 */
public final class ConfigTree {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final Map<String, Object> flat = new LinkedHashMap<>();
  private final Map<String, String> env;
  private final Set<String> read = new LinkedHashSet<>();
  private final List<String> problems = new ArrayList<>();

  public ConfigTree(Map<String, Object> yaml, Map<String, String> env) {
    this.env = env;
    flatten("", yaml);
  }

  @SuppressWarnings("unchecked")
  private void flatten(String prefix, Map<String, Object> map) {
    if (map == null) {
      return;
    }
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String key = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
      if (e.getValue() instanceof Map<?, ?> m && !m.isEmpty()) {
        flatten(key, (Map<String, Object>) m);
      } else {
        flat.put(key, e.getValue());
      }
    }
  }

  /** The environment variable that overrides {@code key}. */
  public static String envName(String key) {
    return "INTERLUDE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private Object raw(String key) {
    read.add(key);
    String fromEnv = env.get(envName(key));
    if (fromEnv != null) {
      return fromEnv;
    }
    return flat.get(key);
  }

  public void problem(String key, String reason) {
    problems.add(key + ": " + reason);
  }

  public String string(String key, String def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Map || v instanceof List) {
      problem(key, "must be a text value");
      return def;
    }
    return String.valueOf(v).trim();
  }

  public Secret secret(String key) {
    Object v = raw(key);
    if (v == null) {
      return Secret.empty();
    }
    if (v instanceof Map || v instanceof List) {
      problem(key, "must be a text value");
      return Secret.empty();
    }
    return Secret.of(String.valueOf(v));
  }

  public int integer(String key, int def, int min, int max) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    long n;
    if (v instanceof Number num && !(v instanceof Double || v instanceof Float)) {
      n = num.longValue();
    } else {
      try {
        n = Long.parseLong(String.valueOf(v).trim());
      } catch (NumberFormatException e) {
        problem(key, "must be a whole number, got " + quote(v));
        return def;
      }
    }
    if (n < min || n > max) {
      problem(key, "must be " + min + "-" + max + ", got " + n);
      return def;
    }
    return (int) n;
  }

  public boolean bool(String key, boolean def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("yes") || s.equals("on")) {
      return true;
    }
    if (s.equals("false") || s.equals("no") || s.equals("off")) {
      return false;
    }
    problem(key, "must be true or false, got " + quote(v));
    return def;
  }

  /** Durations are written {@code 500ms}, {@code 30s}, {@code 15m}, {@code 12h} or {@code 3d}. */
  public Duration duration(String key, Duration def, Duration min, Duration max) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    Matcher m = DURATION.matcher(String.valueOf(v).trim());
    if (!m.matches()) {
      problem(key, "must be a duration such as 30s, 15m or 12h, got " + quote(v));
      return def;
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problem(key, "must be between " + format(min) + " and " + format(max) + ", got " + v);
      return def;
    }
    return d;
  }

  public LocalTime localTime(String key, LocalTime def) {
    String s = string(key, null);
    if (s == null) {
      return def;
    }
    try {
      return LocalTime.parse(s);
    } catch (RuntimeException e) {
      problem(key, "must be a time of day such as 22:00, got " + quote(s));
      return def;
    }
  }

  public ZoneId zone(String key, ZoneId def) {
    String s = string(key, null);
    if (s == null) {
      return def;
    }
    try {
      return ZoneId.of(s);
    } catch (RuntimeException e) {
      problem(key, "must be an IANA time zone such as America/New_York, got " + quote(s));
      return def;
    }
  }

  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E def) {
    String s = string(key, null);
    if (s == null) {
      return def;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s.replace('-', '_'))) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    problem(key, "must be one of " + String.join(", ", names) + ", got " + quote(s));
    return def;
  }

  /** A list from YAML, or a comma-separated list from the environment. */
  public List<String> list(String key, List<String> def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Map || o instanceof List) {
          problem(key, "must be a list of text values");
          return def;
        }
        out.add(String.valueOf(o).trim());
      }
    } else {
      for (String part : String.valueOf(v).split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return List.copyOf(out);
  }

  /** Reports unknown keys and throws if any problem was recorded. */
  public void finish() {
    for (String key : flat.keySet()) {
      if (!read.contains(key)) {
        problems.add(key + ": unknown key (check the spelling against config/interlude.yaml)");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  private static String quote(Object v) {
    return "\"" + v + "\"";
  }

  private static String format(Duration d) {
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    if (d.toSeconds() < 60 || d.toSeconds() % 60 != 0) {
      return d.toSeconds() + "s";
    }
    if (d.toMinutes() < 60 || d.toMinutes() % 60 != 0) {
      return d.toMinutes() + "m";
    }
    return d.toHours() + "h";
  }
}

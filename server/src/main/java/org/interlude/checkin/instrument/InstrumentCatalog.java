package org.interlude.checkin.instrument;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The instruments the server knows, looked up by id (latest version) or by id and version.
 *
 * <p>{@link #loadBundled()} reads every file named in {@code instruments/index.json} on the class
 * path and validates each with {@link InstrumentParser}, so a broken file stops the server at start
 * (with the file and field named) instead of mis-scoring at run time. Old versions stay loadable so
 * results are always re-scored and rendered against the version the client answered. Immutable and
 * thread-safe.
 */
public final class InstrumentCatalog {
  /** Class-path folder of the bundled instrument files. */
  public static final String RESOURCE_DIR = "instruments/";
  /** The file in {@link #RESOURCE_DIR} that lists the bundled instrument files. */
  public static final String INDEX_FILE = "index.json";

  private final Map<String, NavigableMap<Integer, Instrument>> byId;

  private InstrumentCatalog(Map<String, NavigableMap<Integer, Instrument>> byId) {
    this.byId = byId;
  }

  /**
   * Loads and validates all bundled instrument files.
   *
   * @throws InstrumentFormatException when the index or any listed file is missing or malformed
   */
  public static InstrumentCatalog loadBundled() {
    ClassLoader loader = InstrumentCatalog.class.getClassLoader();
    String indexText = readResource(loader, INDEX_FILE);
    List<String> files;
    try {
      JsonArray array = new JsonObject(indexText).getJsonArray("files");
      if (array == null) {
        throw new InstrumentFormatException(INDEX_FILE, "files", "required");
      }
      files = array.stream().map(f -> {
        if (!(f instanceof String s)) {
          throw new InstrumentFormatException(INDEX_FILE, "files", "entries must be file names");
        }
        return s;
      }).toList();
    } catch (DecodeException | ClassCastException e) {
      throw new InstrumentFormatException(INDEX_FILE, "$", "not a JSON object: " + e.getMessage(), e);
    }
    Map<String, String> contents = new LinkedHashMap<>();
    for (String file : files) {
      if (contents.put(file, readResource(loader, file)) != null) {
        throw new InstrumentFormatException(INDEX_FILE, "files", "lists " + file + " twice");
      }
    }
    return fromFiles(contents);
  }

  /**
   * Parses and validates instrument files given as file name → content (used for bundled files and
   * by tests of broken files).
   *
   * @throws InstrumentFormatException when a file is malformed or two files hold the same id and version
   */
  public static InstrumentCatalog fromFiles(Map<String, String> files) {
    return of(files.entrySet().stream()
        .map(e -> InstrumentParser.parse(e.getKey(), e.getValue()))
        .toList());
  }

  /**
   * A catalog of already parsed instruments.
   *
   * @throws InstrumentFormatException when two instruments have the same id and version
   */
  public static InstrumentCatalog of(Collection<Instrument> instruments) {
    Map<String, NavigableMap<Integer, Instrument>> byId = new TreeMap<>();
    for (Instrument instrument : instruments) {
      NavigableMap<Integer, Instrument> versions = byId.computeIfAbsent(instrument.id(), k -> new TreeMap<>());
      if (versions.putIfAbsent(instrument.version(), instrument) != null) {
        throw new InstrumentFormatException(instrument.fileName(), "version",
            "instrument " + instrument.id() + " version " + instrument.version() + " is loaded twice");
      }
    }
    Map<String, NavigableMap<Integer, Instrument>> frozen = new TreeMap<>();
    byId.forEach((id, versions) -> frozen.put(id, Collections.unmodifiableNavigableMap(versions)));
    return new InstrumentCatalog(Collections.unmodifiableMap(frozen));
  }

  /** The highest version of instrument {@code id}, if it is known. */
  public Optional<Instrument> latest(String id) {
    NavigableMap<Integer, Instrument> versions = byId.get(id);
    return versions == null ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
  }

  /** Instrument {@code id} at exactly {@code version}, if it is known. */
  public Optional<Instrument> find(String id, int version) {
    NavigableMap<Integer, Instrument> versions = byId.get(id);
    return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
  }

  /**
   * Instrument {@code id} at exactly {@code version}.
   *
   * @throws NoSuchElementException when it is not in the catalog
   */
  public Instrument require(String id, int version) {
    return find(id, version).orElseThrow(
        () -> new NoSuchElementException("no instrument " + id + " version " + version));
  }

  /**
   * The highest version of instrument {@code id}.
   *
   * @throws NoSuchElementException when it is not in the catalog
   */
  public Instrument requireLatest(String id) {
    return latest(id).orElseThrow(() -> new NoSuchElementException("no instrument " + id));
  }

  /** The raw JSON of instrument {@code id} at {@code version}, for the browser to render. */
  public Optional<JsonObject> json(String id, int version) {
    return find(id, version).map(Instrument::json);
  }

  /** The ids of all known instruments, sorted. */
  public Set<String> ids() {
    return Collections.unmodifiableSet(new TreeSet<>(byId.keySet()));
  }

  /** Every version of every instrument, ordered by id then version. */
  public List<Instrument> all() {
    return byId.values().stream()
        .flatMap(v -> v.values().stream())
        .sorted(Comparator.comparing(Instrument::id).thenComparingInt(Instrument::version))
        .toList();
  }

  private static String readResource(ClassLoader loader, String file) {
    try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) {
        throw new InstrumentFormatException(file, "$", "not found on the class path under " + RESOURCE_DIR);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + RESOURCE_DIR + file, e);
    }
  }
}

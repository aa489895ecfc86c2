package org.interlude.escalation.screening;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A loaded, merged and validated set of screening rules. Immutable and thread-safe; build one at
 * start-up and share it.
 *
 * <p>Rules come from YAML files (format described in {@code resources/screening/rules.yaml}).
 * Several files merge in order: the bundled defaults first, then clinic overrides, which can add
 * lexicon entries, idioms, cues, exceptions and rules but cannot remove or weaken bundled ones.
 * Loading either succeeds completely or throws {@link InvalidRulesException} naming the file, line
 * and entry; a rule set is never used half-loaded.
 */
public final class ScreeningRules {

  /** Classpath location of the bundled defaults. */
  public static final String BUNDLED_RESOURCE = "screening/rules.yaml";

  /**
   * The text of one rule file and the name to use for it in messages and in {@link #version()}.
   *
   * @param name file name or resource name, shown to clinicians in error messages
   * @param yaml the file content
   */
  public record Source(String name, String yaml) {

    /** Validates that both parts are present. */
    public Source {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(yaml, "yaml");
    }

    /**
     * Reads a rule file as UTF-8.
     *
     * @throws IOException when the file cannot be read
     * @throws InvalidRulesException when the file is not valid UTF-8
     */
    public static Source of(Path file) throws IOException {
      return of(file.getFileName().toString(), Files.newInputStream(file));
    }

    /**
     * Reads a rule file from a stream as UTF-8 and closes the stream.
     *
     * @throws IOException when the stream cannot be read
     * @throws InvalidRulesException when the content is not valid UTF-8
     */
    public static Source of(String name, InputStream in) throws IOException {
      try (InputStream stream = in) {
        byte[] bytes = stream.readAllBytes();
        try {
          String text =
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT)
                  .decode(java.nio.ByteBuffer.wrap(bytes))
                  .toString();
          return new Source(name, text);
        } catch (CharacterCodingException e) {
          throw new InvalidRulesException(name, 0, "", "the file is not UTF-8 text; save it as UTF-8");
        }
      }
    }

    /** The bundled defaults from the classpath. */
    public static Source bundled() {
      InputStream in = ScreeningRules.class.getClassLoader().getResourceAsStream(BUNDLED_RESOURCE);
      if (in == null) {
        throw new IllegalStateException("bundled screening rules missing from classpath: " + BUNDLED_RESOURCE);
      }
      try {
        return of(BUNDLED_RESOURCE, in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read bundled screening rules", e);
      }
    }
  }

  private static final class Bundled {
    static final ScreeningRules INSTANCE = load(List.of(Source.bundled()));
  }

  private final CompiledRules compiled;

  private ScreeningRules(CompiledRules compiled) {
    this.compiled = compiled;
  }

  /**
   * The bundled default rules, loaded once.
   *
   * @throws InvalidRulesException if the bundled file is broken (a build defect, caught by tests)
   */
  public static ScreeningRules bundled() {
    return Bundled.INSTANCE;
  }

  /**
   * The bundled defaults merged with clinic override files, in the order given.
   *
   * @throws IOException when an override file cannot be read
   * @throws InvalidRulesException when a file, or the merged set, is not valid
   */
  public static ScreeningRules bundledWith(Path... overrides) throws IOException {
    List<Source> sources = new ArrayList<>();
    sources.add(Source.bundled());
    for (Path p : overrides) {
      sources.add(Source.of(p));
    }
    return load(sources);
  }

  /**
   * Merges the given files in order into one rule set. The result must be complete on its own:
   * pass the bundled source first unless the files define a full rule set.
   *
   * @throws InvalidRulesException when a file, or the merged set, is not valid
   */
  public static ScreeningRules load(List<Source> sources) {
    List<RuleFile> files = new ArrayList<>(sources.size());
    for (Source s : sources) {
      files.add(RuleFile.parse(s.name(), s.yaml()));
    }
    return new ScreeningRules(RuleCompiler.compile(files));
  }

  /** Same as {@link #load(List)}. */
  public static ScreeningRules load(Source... sources) {
    return load(List.of(sources));
  }

  /**
   * Which files and versions make up this rule set, such as {@code
   * "screening/rules.yaml@2025.1 + clinic.yaml@3"}. Record it with each screening so that a
   * decision can be traced to the rules that made it.
   */
  public String version() {
    return compiled.version;
  }

  CompiledRules compiled() {
    return compiled;
  }
}

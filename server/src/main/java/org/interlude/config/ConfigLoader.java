package org.interlude.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Loads {@link InterludeConfig} from a YAML file overridden by environment variables. The YAML
 * is parsed with SnakeYAML's safe constructor (no arbitrary types). All problems, including
 * unreadable files and syntax errors, surface as one {@link ConfigException}.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static InterludeConfig load(Path file, Map<String, String> env) {
    Map<String, Object> yaml = readYaml(file);
    ConfigTree tree = new ConfigTree(yaml, env);
    InterludeConfig config = InterludeConfig.read(tree);
    tree.finish();
    return config;
  }

  /** Loads with no file at all: defaults plus environment. */
  public static InterludeConfig defaults(Map<String, String> env) {
    ConfigTree tree = new ConfigTree(Map.of(), env);
    InterludeConfig config = InterludeConfig.read(tree);
    tree.finish();
    return config;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readYaml(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      Object doc = new Yaml(new SafeConstructor(options)).load(r);
      if (doc == null) {
        return Map.of();
      }
      if (!(doc instanceof Map)) {
        throw new ConfigException(List.of(file + ": must be a YAML mapping of sections"));
      }
      return (Map<String, Object>) doc;
    } catch (NoSuchFileException e) {
      throw new ConfigException(List.of(file + ": file not found"));
    } catch (IOException e) {
      throw new ConfigException(List.of(file + ": cannot be read (" + e.getMessage() + ")"));
    } catch (MarkedYAMLException e) {
      String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1);
      throw new ConfigException(List.of(file + ": invalid YAML" + where + ": " + e.getProblem()));
    } catch (RuntimeException e) {
      if (e instanceof ConfigException ce) {
        throw ce;
      }
      throw new ConfigException(List.of(file + ": invalid YAML: " + e.getMessage()));
    }
  }
}

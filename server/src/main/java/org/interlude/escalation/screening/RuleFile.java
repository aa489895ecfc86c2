package org.interlude.escalation.screening;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.representer.Representer;

/**
 * One rule file as written, with the file name, line and entry path of every value so that errors
 * found later (when several files are merged and compiled) can still point at the right line.
 *
 * <p>Reads the YAML node tree rather than constructed Java objects: every value is taken as the
 * text the clinician wrote, so YAML 1.1 surprises ({@code no} read as false, {@code 988} as a
 * number) cannot change a pattern, and duplicate keys are reported instead of silently dropped.
 * Only the shape of the file is checked here; cross references are checked by {@link
 * RuleCompiler} on the merged rule set.
 */
final class RuleFile {

  /** Schema version this code reads. */
  static final String FORMAT = "1";

  /** A value from the file with its location. */
  record Located(String value, String source, int line, String path) {
    InvalidRulesException error(String problem) {
      return new InvalidRulesException(source, line, path, problem);
    }
  }

  record RewriteDef(Located from, Located to) {}

  record CategoryDef(String name, Located whenQualified, List<Located> patterns, Located where) {}

  record ExceptionDef(
      Located id, Located severity, List<Located> appliesTo, List<Located> patterns, Located where) {}

  record ConditionDef(
      List<Located> all, List<Located> any, List<Located> mentioned, Located scope, Located where) {}

  record RuleDef(Located id, Located severity, List<ConditionDef> when, Located where) {}

  /** A cue section: named lists of patterns plus scalar settings (window sizes, rule id). */
  record CueDef(String name, Map<String, List<Located>> lists, Map<String, Located> scalars) {}

  static final Map<String, Set<String>> CUE_LISTS =
      Map.of(
          "negation", Set.of("before", "after", "pseudo", "scope-end", "answers"),
          "hypothetical", Set.of("before", "pseudo", "scope-end"),
          "other-person", Set.of("before", "within", "after", "first-person", "pseudo", "also-me", "scope-end"),
          "past", Set.of("cues", "pseudo", "current", "scope-end"));

  static final Map<String, Set<String>> CUE_SCALARS =
      Map.of(
          "negation", Set.of("rule", "window", "after-window"),
          "hypothetical", Set.of("rule", "window"),
          "other-person", Set.of("rule", "window", "after-window"),
          "past", Set.of("rule", "current-window"));

  final String source;
  final Located version;
  final List<RewriteDef> rewrites;
  final Map<String, List<Located>> classes;
  final Map<String, CategoryDef> lexicon;
  final Map<String, CueDef> cues;
  final List<ExceptionDef> exceptions;
  final List<RuleDef> rules;

  private RuleFile(
      String source,
      Located version,
      List<RewriteDef> rewrites,
      Map<String, List<Located>> classes,
      Map<String, CategoryDef> lexicon,
      Map<String, CueDef> cues,
      List<ExceptionDef> exceptions,
      List<RuleDef> rules) {
    this.source = source;
    this.version = version;
    this.rewrites = rewrites;
    this.classes = classes;
    this.lexicon = lexicon;
    this.cues = cues;
    this.exceptions = exceptions;
    this.rules = rules;
  }

  /** Parses one file; {@code source} is the name used in error messages. */
  static RuleFile parse(String source, String text) {
    Node root = compose(source, text);
    Reader r = new Reader(source);
    if (root == null) {
      throw new InvalidRulesException(source, 0, "", "the file is empty");
    }
    Map<String, Node> top =
        r.mapping(
            root,
            "",
            Set.of("format", "version", "description", "normalize", "classes", "lexicon", "cues", "exceptions", "rules"));
    Located format = r.requiredScalar(top, "format", root, "");
    if (!FORMAT.equals(format.value())) {
      throw format.error("this code reads rule files of format " + FORMAT + ", not '" + format.value() + "'");
    }
    Located version = r.requiredScalar(top, "version", root, "");
    if (top.containsKey("description")) {
      r.scalar(top.get("description"), "description");
    }

    List<RewriteDef> rewrites = new ArrayList<>();
    if (top.containsKey("normalize")) {
      Map<String, Node> normalize = r.mapping(top.get("normalize"), "normalize", Set.of("rewrite"));
      if (normalize.containsKey("rewrite")) {
        Node rw = normalize.get("rewrite");
        Map<String, Node> map = r.mapping(rw, "normalize.rewrite", null);
        Map<String, Node> keys = r.keyNodes(rw);
        for (Map.Entry<String, Node> e : map.entrySet()) {
          String path = "normalize.rewrite.\"" + e.getKey() + "\"";
          Located from = new Located(e.getKey(), source, line(keys.get(e.getKey())), path);
          rewrites.add(new RewriteDef(from, r.scalar(e.getValue(), path)));
        }
      }
    }

    Map<String, List<Located>> classes = new LinkedHashMap<>();
    if (top.containsKey("classes")) {
      Map<String, Node> map = r.mapping(top.get("classes"), "classes", null);
      for (Map.Entry<String, Node> e : map.entrySet()) {
        String path = "classes." + e.getKey();
        r.checkName(e.getKey(), e.getValue(), path, "class");
        if (TokenPattern.RESERVED.contains(e.getKey())) {
          throw new InvalidRulesException(
              source, line(e.getValue()), path, "'" + e.getKey() + "' is reserved (<num>, <gap:N>, <end>)");
        }
        classes.put(e.getKey(), r.scalarList(e.getValue(), path, true));
      }
    }

    Map<String, CategoryDef> lexicon = new LinkedHashMap<>();
    if (top.containsKey("lexicon")) {
      Map<String, Node> map = r.mapping(top.get("lexicon"), "lexicon", null);
      for (Map.Entry<String, Node> e : map.entrySet()) {
        String path = "lexicon." + e.getKey();
        r.checkName(e.getKey(), e.getValue(), path, "category");
        Map<String, Node> cat = r.mapping(e.getValue(), path, Set.of("description", "when-qualified", "patterns"));
        if (cat.containsKey("description")) {
          r.scalar(cat.get("description"), path + ".description");
        }
        Located whenQualified =
            cat.containsKey("when-qualified") ? r.scalar(cat.get("when-qualified"), path + ".when-qualified") : null;
        List<Located> patterns =
            cat.containsKey("patterns") ? r.scalarList(cat.get("patterns"), path + ".patterns", true) : List.of();
        lexicon.put(
            e.getKey(),
            new CategoryDef(e.getKey(), whenQualified, patterns, new Located(e.getKey(), source, line(e.getValue()), path)));
      }
    }

    Map<String, CueDef> cues = new LinkedHashMap<>();
    if (top.containsKey("cues")) {
      Map<String, Node> map = r.mapping(top.get("cues"), "cues", CUE_LISTS.keySet());
      for (Map.Entry<String, Node> e : map.entrySet()) {
        String name = e.getKey();
        String path = "cues." + name;
        Set<String> allowed = new java.util.HashSet<>(CUE_LISTS.get(name));
        allowed.addAll(CUE_SCALARS.get(name));
        allowed.add("description");
        Map<String, Node> cue = r.mapping(e.getValue(), path, allowed);
        Map<String, List<Located>> lists = new LinkedHashMap<>();
        Map<String, Located> scalars = new LinkedHashMap<>();
        for (Map.Entry<String, Node> c : cue.entrySet()) {
          String key = c.getKey();
          if (CUE_LISTS.get(name).contains(key)) {
            lists.put(key, r.scalarList(c.getValue(), path + "." + key, true));
          } else if (!key.equals("description")) {
            scalars.put(key, r.scalar(c.getValue(), path + "." + key));
          }
        }
        cues.put(name, new CueDef(name, lists, scalars));
      }
    }

    List<ExceptionDef> exceptions = new ArrayList<>();
    if (top.containsKey("exceptions")) {
      List<Node> list = r.sequence(top.get("exceptions"), "exceptions");
      for (int i = 0; i < list.size(); i++) {
        String path = "exceptions[" + i + "]";
        Node node = list.get(i);
        Map<String, Node> ex = r.mapping(node, path, Set.of("id", "severity", "applies-to", "description", "patterns"));
        Located id = r.requiredScalar(ex, "id", node, path);
        String named = path + " (" + id.value() + ")";
        Located severity = r.requiredScalar(ex, "severity", node, named);
        List<Located> appliesTo =
            ex.containsKey("applies-to") ? r.scalarList(ex.get("applies-to"), named + ".applies-to", false) : List.of();
        if (ex.containsKey("description")) {
          r.scalar(ex.get("description"), named + ".description");
        }
        List<Located> patterns =
            ex.containsKey("patterns") ? r.scalarList(ex.get("patterns"), named + ".patterns", true) : List.of();
        exceptions.add(new ExceptionDef(id, severity, appliesTo, patterns, new Located(id.value(), source, line(node), named)));
      }
    }

    List<RuleDef> rules = new ArrayList<>();
    if (top.containsKey("rules")) {
      List<Node> list = r.sequence(top.get("rules"), "rules");
      for (int i = 0; i < list.size(); i++) {
        String path = "rules[" + i + "]";
        Node node = list.get(i);
        Map<String, Node> rule = r.mapping(node, path, Set.of("id", "severity", "description", "when"));
        Located id = r.requiredScalar(rule, "id", node, path);
        String named = path + " (" + id.value() + ")";
        Located severity = rule.containsKey("severity") ? r.scalar(rule.get("severity"), named + ".severity") : null;
        if (rule.containsKey("description")) {
          r.scalar(rule.get("description"), named + ".description");
        }
        if (!rule.containsKey("when")) {
          throw new InvalidRulesException(source, line(node), named, "a rule needs 'when' with at least one condition");
        }
        List<Node> whenNodes = r.sequence(rule.get("when"), named + ".when");
        if (whenNodes.isEmpty()) {
          throw new InvalidRulesException(source, line(rule.get("when")), named + ".when", "at least one condition is needed");
        }
        List<ConditionDef> when = new ArrayList<>();
        for (int k = 0; k < whenNodes.size(); k++) {
          String cpath = named + ".when[" + k + "]";
          Node cnode = whenNodes.get(k);
          Map<String, Node> cond = r.mapping(cnode, cpath, Set.of("all", "any", "mentioned", "scope"));
          List<Located> all = cond.containsKey("all") ? r.scalarList(cond.get("all"), cpath + ".all", false) : List.of();
          List<Located> any = cond.containsKey("any") ? r.scalarList(cond.get("any"), cpath + ".any", false) : List.of();
          List<Located> mentioned =
              cond.containsKey("mentioned") ? r.scalarList(cond.get("mentioned"), cpath + ".mentioned", false) : List.of();
          Located scope = cond.containsKey("scope") ? r.scalar(cond.get("scope"), cpath + ".scope") : null;
          if (all.isEmpty() && any.isEmpty()) {
            throw new InvalidRulesException(
                source, line(cnode), cpath, "a condition needs 'all' or 'any' with at least one category");
          }
          when.add(new ConditionDef(all, any, mentioned, scope, new Located("", source, line(cnode), cpath)));
        }
        rules.add(new RuleDef(id, severity, List.copyOf(when), new Located(id.value(), source, line(node), named)));
      }
    }

    return new RuleFile(
        source,
        version,
        Collections.unmodifiableList(rewrites),
        Collections.unmodifiableMap(classes),
        Collections.unmodifiableMap(lexicon),
        Collections.unmodifiableMap(cues),
        Collections.unmodifiableList(exceptions),
        Collections.unmodifiableList(rules));
  }

  private static Node compose(String source, String text) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(20);
    options.setAllowRecursiveKeys(false);
    DumperOptions dumper = new DumperOptions();
    Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options);
    try {
      return yaml.compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      int line = mark == null ? 0 : mark.getLine() + 1;
      String problem = e.getProblem() == null ? "not valid YAML" : e.getProblem();
      if (e.getContext() != null) {
        problem = e.getContext() + ": " + problem;
      }
      throw new InvalidRulesException(
          source,
          line,
          "",
          "not valid YAML (" + problem + "). Text that contains ': ' or ' #', or starts with [ < ( @ * or #, must be in double quotes.");
    } catch (YAMLException e) {
      throw new InvalidRulesException(source, 0, "", "not valid YAML: " + e.getMessage());
    }
  }

  static int line(Node node) {
    return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  /** Typed access to the node tree with errors that name the entry. */
  private static final class Reader {
    final String source;

    Reader(String source) {
      this.source = source;
    }

    InvalidRulesException error(Node node, String path, String problem) {
      return new InvalidRulesException(source, line(node), path, problem);
    }

    Map<String, Node> mapping(Node node, String path, Set<String> allowed) {
      if (!(node instanceof MappingNode m)) {
        throw error(node, path.isEmpty() ? "(top level)" : path, "expected a mapping of 'key: value' entries");
      }
      Map<String, Node> out = new LinkedHashMap<>();
      for (NodeTuple t : m.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode k)) {
          throw error(t.getKeyNode(), path, "keys must be plain text");
        }
        String key = k.getValue();
        String at = path.isEmpty() ? key : path + "." + key;
        if (out.containsKey(key)) {
          throw error(k, at, "'" + key + "' appears twice; merge the two entries");
        }
        if (allowed != null && !allowed.contains(key)) {
          throw error(k, at, "unknown key '" + key + "'; expected one of " + new java.util.TreeSet<>(allowed));
        }
        out.put(key, t.getValueNode());
      }
      return out;
    }

    Map<String, Node> keyNodes(Node node) {
      Map<String, Node> out = new LinkedHashMap<>();
      for (NodeTuple t : ((MappingNode) node).getValue()) {
        out.put(((ScalarNode) t.getKeyNode()).getValue(), t.getKeyNode());
      }
      return out;
    }

    List<Node> sequence(Node node, String path) {
      if (!(node instanceof SequenceNode s)) {
        throw error(node, path, "expected a list ('- item' lines)");
      }
      return s.getValue();
    }

    Located scalar(Node node, String path) {
      if (node instanceof SequenceNode) {
        throw error(node, path, "expected text, found a list; a pattern starting with '[' must be in quotes");
      }
      if (!(node instanceof ScalarNode s)) {
        throw error(node, path, "expected text, found a mapping; a pattern containing ': ' must be in quotes");
      }
      String value = s.getValue().strip();
      if (value.isEmpty()) {
        throw error(node, path, "is empty");
      }
      return new Located(value, source, line(node), path);
    }

    Located requiredScalar(Map<String, Node> map, String key, Node parent, String path) {
      String at = path.isEmpty() ? key : path + "." + key;
      if (!map.containsKey(key)) {
        throw error(parent, at, "'" + key + "' is required");
      }
      return scalar(map.get(key), at);
    }

    List<Located> scalarList(Node node, String path, boolean indexed) {
      List<Node> items = sequence(node, path);
      List<Located> out = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        out.add(scalar(items.get(i), path + "[" + i + "]"));
      }
      return Collections.unmodifiableList(out);
    }

    void checkName(String name, Node node, String path, String what) {
      if (!name.matches("[a-z][a-z0-9-]*")) {
        throw error(node, path, "a " + what + " name uses lower-case letters, digits and '-'");
      }
    }
  }
}

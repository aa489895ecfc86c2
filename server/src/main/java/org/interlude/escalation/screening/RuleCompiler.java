package org.interlude.escalation.screening;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.interlude.escalation.Severity;
import org.interlude.escalation.screening.PatternIndex.Kind;
import org.interlude.escalation.screening.RuleFile.Located;

/**
 * Merges rule files in order (bundled defaults first, clinic overrides after), validates the
 * result as a whole and compiles it. Merging only adds: an override can add rewrites, class
 * entries, lexicon patterns, cue patterns, exception patterns, rules, and conditions to an existing
 * rule, and can change window sizes; it cannot remove or weaken a bundled entry, so a clinic file
 * cannot silently switch off detection of something.
 */
final class RuleCompiler {

  private static final String ID_SYNTAX = "[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*";
  private static final int MAX_WINDOW = 20;

  private RuleCompiler() {}

  static CompiledRules compile(List<RuleFile> files) {
    if (files.isEmpty()) {
      throw new InvalidRulesException("(no files)", 0, "", "at least one rule file is needed");
    }
    RuleFile lastFile = files.get(files.size() - 1);

    // ---- normalisation: later files replace a rewrite of the same words
    Map<List<String>, List<String>> rewriteMap = new LinkedHashMap<>();
    for (RuleFile f : files) {
      for (RuleFile.RewriteDef r : f.rewrites) {
        List<String> from = singleRun(r.from(), "the words to rewrite");
        List<String> to = singleRun(r.to(), "the replacement");
        rewriteMap.put(from, to);
      }
    }
    List<TextNormalizer.Rewrite> rewrites = new ArrayList<>();
    rewriteMap.forEach((from, to) -> rewrites.add(new TextNormalizer.Rewrite(List.copyOf(from), List.copyOf(to))));
    TextNormalizer baseNormalizer = TextNormalizer.withRewrites(rewrites);
    Function<String, List<String>> normalizeWords = text -> wordsOf(baseNormalizer, text);

    // ---- classes
    Map<String, List<Located>> classEntries = new LinkedHashMap<>();
    for (RuleFile f : files) {
      f.classes.forEach((name, entries) -> classEntries.computeIfAbsent(name, k -> new ArrayList<>()).addAll(entries));
    }
    Map<String, List<TokenPattern.Node>> parsedClasses = new LinkedHashMap<>();
    Map<String, Located> classWhere = new HashMap<>();
    for (Map.Entry<String, List<Located>> e : classEntries.entrySet()) {
      List<TokenPattern.Node> nodes = new ArrayList<>();
      for (Located entry : e.getValue()) {
        nodes.add(parse(entry, normalizeWords));
        classWhere.putIfAbsent(e.getKey(), entry);
      }
      parsedClasses.put(e.getKey(), nodes);
    }
    Map<String, TokenPattern.Node> classes = resolveClasses(classEntries, parsedClasses);

    // ---- lexicon categories
    List<String> categories = new ArrayList<>();
    Map<String, Integer> categoryIndex = new HashMap<>();
    Map<String, Located> categoryWhere = new HashMap<>();
    Map<String, Located> whenQualifiedDefs = new HashMap<>();
    Map<String, List<Located>> categoryPatterns = new LinkedHashMap<>();
    for (RuleFile f : files) {
      for (RuleFile.CategoryDef c : f.lexicon.values()) {
        if (!categoryIndex.containsKey(c.name())) {
          categoryIndex.put(c.name(), categories.size());
          categories.add(c.name());
          categoryWhere.put(c.name(), c.where());
        }
        if (c.whenQualified() != null) {
          Located earlier = whenQualifiedDefs.get(c.name());
          if (earlier != null && !earlier.value().equalsIgnoreCase(c.whenQualified().value())) {
            throw c.whenQualified().error(
                "conflicts with when-qualified " + earlier.value() + " set in " + earlier.source() + ":" + earlier.line());
          }
          severity(c.whenQualified());
          whenQualifiedDefs.put(c.name(), c.whenQualified());
        }
        categoryPatterns.computeIfAbsent(c.name(), k -> new ArrayList<>()).addAll(c.patterns());
      }
    }
    List<Severity> whenQualified = new ArrayList<>();
    for (String name : categories) {
      Located w = whenQualifiedDefs.get(name);
      whenQualified.add(w == null ? Severity.NONE : severity(w));
    }

    // ---- ids used anywhere, to keep every reported rule id unambiguous
    Map<String, Located> idOwners = new HashMap<>();

    // ---- rules (merged by id; later files may add conditions)
    Map<String, Located> ruleSeverity = new LinkedHashMap<>();
    Map<String, List<RuleFile.ConditionDef>> ruleConditions = new LinkedHashMap<>();
    for (RuleFile f : files) {
      for (RuleFile.RuleDef r : f.rules) {
        checkId(r.id());
        if (!ruleSeverity.containsKey(r.id().value())) {
          if (r.severity() == null) {
            throw r.where().error("a new rule needs a severity (CRITICAL, HIGH, WATCH or NONE)");
          }
          severity(r.severity());
          ruleSeverity.put(r.id().value(), r.severity());
          idOwners.put(r.id().value(), r.id());
        } else if (r.severity() != null) {
          Located first = ruleSeverity.get(r.id().value());
          if (!first.value().equalsIgnoreCase(r.severity().value())) {
            throw r.severity().error(
                "rule '" + r.id().value() + "' already has severity " + first.value() + " (" + first.source() + ":"
                    + first.line() + "); an override can add conditions to a rule but not change its severity");
          }
        }
        ruleConditions.computeIfAbsent(r.id().value(), k -> new ArrayList<>()).addAll(r.when());
      }
    }
    Set<String> usedCategories = new HashSet<>();
    List<CompiledRules.Rule> rules = new ArrayList<>();
    int priority = 0;
    for (Map.Entry<String, Located> e : ruleSeverity.entrySet()) {
      List<CompiledRules.Condition> conditions = new ArrayList<>();
      for (RuleFile.ConditionDef c : ruleConditions.get(e.getKey())) {
        conditions.add(condition(c, categoryIndex, categories.size(), usedCategories));
      }
      rules.add(new CompiledRules.Rule(e.getKey(), severity(e.getValue()), priority++, List.copyOf(conditions)));
    }

    // ---- exceptions (several entries may share an id if they agree on severity)
    List<CompiledRules.Exception> exceptions = new ArrayList<>();
    Map<String, Located> exceptionSeverity = new HashMap<>();
    Map<String, Integer> exceptionPriority = new HashMap<>();
    List<List<Located>> exceptionPatterns = new ArrayList<>();
    for (RuleFile f : files) {
      for (RuleFile.ExceptionDef x : f.exceptions) {
        checkId(x.id());
        Severity sev = severity(x.severity());
        Located earlier = exceptionSeverity.get(x.id().value());
        if (earlier == null) {
          checkUnique(idOwners, x.id());
          exceptionSeverity.put(x.id().value(), x.severity());
          exceptionPriority.put(x.id().value(), priority++);
        } else if (!earlier.value().equalsIgnoreCase(x.severity().value())) {
          throw x.severity().error(
              "exception '" + x.id().value() + "' already has severity " + earlier.value() + " (" + earlier.source()
                  + ":" + earlier.line() + ")");
        }
        boolean[] applies = new boolean[categories.size()];
        if (x.appliesTo().isEmpty()) {
          java.util.Arrays.fill(applies, true);
        }
        for (Located cat : x.appliesTo()) {
          Integer idx = categoryIndex.get(cat.value());
          if (idx == null) {
            throw cat.error("no lexicon category '" + cat.value() + "'; known: " + categories);
          }
          applies[idx] = true;
        }
        if (x.patterns().isEmpty()) {
          throw x.where().error("an exception needs at least one pattern");
        }
        exceptions.add(new CompiledRules.Exception(x.id().value(), sev, exceptionPriority.get(x.id().value()), applies));
        exceptionPatterns.add(x.patterns());
      }
    }

    // ---- cues
    Map<String, Map<String, List<Located>>> cueLists = new LinkedHashMap<>();
    Map<String, Map<String, Located>> cueScalars = new LinkedHashMap<>();
    for (String name : RuleFile.CUE_LISTS.keySet()) {
      cueLists.put(name, new LinkedHashMap<>());
      cueScalars.put(name, new LinkedHashMap<>());
    }
    for (RuleFile f : files) {
      for (RuleFile.CueDef cue : f.cues.values()) {
        cue.lists().forEach((k, v) -> cueLists.get(cue.name()).computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        for (Map.Entry<String, Located> s : cue.scalars().entrySet()) {
          Located earlier = cueScalars.get(cue.name()).get(s.getKey());
          if (s.getKey().equals("rule") && earlier != null && !earlier.value().equals(s.getValue().value())) {
            throw s.getValue().error(
                "the rule id of cues." + cue.name() + " is already '" + earlier.value() + "' (" + earlier.source() + ":"
                    + earlier.line() + "); rule ids are stable and cannot be renamed by an override");
          }
          cueScalars.get(cue.name()).put(s.getKey(), s.getValue());
        }
      }
    }
    CompiledRules.Qualifier negation = qualifier("negation", cueScalars, idOwners, lastFile, priority++);
    CompiledRules.Qualifier hypothetical = qualifier("hypothetical", cueScalars, idOwners, lastFile, priority++);
    CompiledRules.Qualifier otherPerson = qualifier("other-person", cueScalars, idOwners, lastFile, priority++);
    CompiledRules.Qualifier past = qualifier("past", cueScalars, idOwners, lastFile, priority++);

    // ---- every category must be able to raise something, or its entries are dead weight
    for (String name : categories) {
      if (!usedCategories.contains(name) && whenQualified.get(categoryIndex.get(name)) == Severity.NONE) {
        throw categoryWhere.get(name).error(
            "lexicon category '" + name + "' is not used by any rule and has no when-qualified severity, so its"
                + " patterns could never raise anything (is the category name misspelled?)");
      }
    }

    // ---- patterns
    List<PatternIndex.Entry> entries = new ArrayList<>();
    Set<String> vocabulary = new HashSet<>();
    for (Map.Entry<String, List<Located>> e : categoryPatterns.entrySet()) {
      int group = categoryIndex.get(e.getKey());
      for (Located p : e.getValue()) {
        entries.add(entry(Kind.LEXICON, group, p, normalizeWords, classes, vocabulary));
      }
    }
    for (int g = 0; g < exceptionPatterns.size(); g++) {
      for (Located p : exceptionPatterns.get(g)) {
        entries.add(entry(Kind.EXCEPTION, g, p, normalizeWords, classes, vocabulary));
      }
    }
    addCue(entries, cueLists, "negation", "before", Kind.NEGATION_BEFORE, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "negation", "after", Kind.NEGATION_AFTER, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "negation", "pseudo", Kind.NEGATION_PSEUDO, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "negation", "scope-end", Kind.NEGATION_END, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "negation", "answers", Kind.NEGATION_ANSWER, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "hypothetical", "before", Kind.HYPOTHETICAL_BEFORE, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "hypothetical", "pseudo", Kind.HYPOTHETICAL_PSEUDO, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "hypothetical", "scope-end", Kind.HYPOTHETICAL_END, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "other-person", "before", Kind.OTHER_BEFORE, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "other-person", "within", Kind.OTHER_WITHIN, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "other-person", "after", Kind.OTHER_AFTER, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "other-person", "first-person", Kind.OTHER_FIRST_PERSON, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "other-person", "pseudo", Kind.OTHER_PSEUDO, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "other-person", "also-me", Kind.OTHER_ALSO_ME, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "other-person", "scope-end", Kind.OTHER_END, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "past", "cues", Kind.PAST_CUE, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "past", "pseudo", Kind.PAST_PSEUDO, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "past", "current", Kind.PAST_CURRENT, normalizeWords, classes, vocabulary);
    addCue(entries, cueLists, "past", "scope-end", Kind.PAST_END, normalizeWords, classes, vocabulary);

    StringBuilder version = new StringBuilder();
    for (RuleFile f : files) {
      if (version.length() > 0) {
        version.append(" + ");
      }
      version.append(f.source).append('@').append(f.version.value());
    }

    return new CompiledRules(
        version.toString(),
        baseNormalizer.withVocabulary(vocabulary),
        new PatternIndex(entries),
        categories,
        whenQualified,
        rules,
        exceptions,
        negation,
        hypothetical,
        otherPerson,
        past);
  }

  // ---------------------------------------------------------------- helpers

  /** Words of a rewrite side: one run of words, no sentence or clause punctuation. */
  private static List<String> singleRun(Located text, String what) {
    List<List<String>> sentences = TextNormalizer.tokenizeOnly(text.value());
    if (sentences.size() != 1 || TextNormalizer.hasClauseBreak(text.value())) {
      throw text.error(what + " '" + text.value() + "' must be words without . , ! ? or ;");
    }
    return sentences.get(0);
  }

  private static List<String> wordsOf(TextNormalizer normalizer, String text) {
    List<Sentence> sentences = normalizer.analyse(text);
    if (sentences.size() != 1) {
      throw new IllegalArgumentException(
          "'" + text + "' contains sentence punctuation (. ! ? ;); patterns match words within one sentence, use <end>"
              + " for the end of a sentence");
    }
    List<String> words = new ArrayList<>();
    for (Token t : sentences.get(0).tokens()) {
      if (t.breakBefore()) {
        throw new IllegalArgumentException("'" + text + "' contains a comma; commas are ignored when matching, leave it out");
      }
      words.add(t.text());
    }
    return words;
  }

  private static TokenPattern.Node parse(Located p, Function<String, List<String>> normalizeWords) {
    try {
      return TokenPattern.parse(p.value(), normalizeWords);
    } catch (TokenPattern.SyntaxException e) {
      throw p.error("\"" + p.value() + "\": " + e.getMessage());
    }
  }

  private static PatternIndex.Entry entry(
      Kind kind,
      int group,
      Located p,
      Function<String, List<String>> normalizeWords,
      Map<String, TokenPattern.Node> classes,
      Set<String> vocabulary) {
    TokenPattern.Node parsed = parse(p, normalizeWords);
    for (String ref : TokenPattern.classRefs(parsed)) {
      if (!classes.containsKey(ref)) {
        throw p.error("\"" + p.value() + "\": no class <" + ref + ">; known classes: " + new java.util.TreeSet<>(classes.keySet()));
      }
    }
    TokenPattern.Node node = TokenPattern.optimize(TokenPattern.resolve(parsed, classes));
    TokenPattern.First first = new TokenPattern.First();
    if (TokenPattern.first(node, first)) {
      throw p.error("\"" + p.value() + "\" can match no words at all; make at least one word required");
    }
    TokenPattern.literals(node, vocabulary);
    return new PatternIndex.Entry(kind, group, p.value(), node);
  }

  private static void addCue(
      List<PatternIndex.Entry> entries,
      Map<String, Map<String, List<Located>>> cueLists,
      String cue,
      String list,
      Kind kind,
      Function<String, List<String>> normalizeWords,
      Map<String, TokenPattern.Node> classes,
      Set<String> vocabulary) {
    for (Located p : cueLists.get(cue).getOrDefault(list, List.of())) {
      entries.add(entry(kind, 0, p, normalizeWords, classes, vocabulary));
    }
  }

  private static Map<String, TokenPattern.Node> resolveClasses(
      Map<String, List<Located>> where, Map<String, List<TokenPattern.Node>> parsed) {
    Map<String, TokenPattern.Node> resolved = new HashMap<>();
    for (String name : parsed.keySet()) {
      resolveClass(name, where, parsed, resolved, new LinkedHashSet<>());
    }
    return resolved;
  }

  private static TokenPattern.Node resolveClass(
      String name,
      Map<String, List<Located>> where,
      Map<String, List<TokenPattern.Node>> parsed,
      Map<String, TokenPattern.Node> resolved,
      LinkedHashSet<String> visiting) {
    TokenPattern.Node done = resolved.get(name);
    if (done != null) {
      return done;
    }
    if (!visiting.add(name)) {
      Located at = where.get(name).get(0);
      throw at.error("class <" + name + "> refers to itself through " + String.join(" -> ", visiting) + " -> " + name);
    }
    List<TokenPattern.Node> options = new ArrayList<>();
    List<TokenPattern.Node> nodes = parsed.get(name);
    List<Located> entries = where.get(name);
    for (int i = 0; i < nodes.size(); i++) {
      TokenPattern.Node node = nodes.get(i);
      Map<String, TokenPattern.Node> refs = new HashMap<>();
      for (String ref : TokenPattern.classRefs(node)) {
        if (!parsed.containsKey(ref)) {
          Located at = entries.get(i);
          throw at.error("\"" + at.value() + "\": no class <" + ref + ">; known classes: " + new java.util.TreeSet<>(parsed.keySet()));
        }
        refs.put(ref, resolveClass(ref, where, parsed, resolved, visiting));
      }
      TokenPattern.Node option = TokenPattern.resolve(node, refs);
      TokenPattern.First first = new TokenPattern.First();
      if (TokenPattern.first(option, first)) {
        Located at = entries.get(i);
        throw at.error("\"" + at.value() + "\" can match no words at all; make at least one word required");
      }
      options.add(option);
    }
    visiting.remove(name);
    TokenPattern.Node node = options.size() == 1 ? options.get(0) : new TokenPattern.Alt(List.copyOf(options));
    resolved.put(name, node);
    return node;
  }

  private static CompiledRules.Condition condition(
      RuleFile.ConditionDef c, Map<String, Integer> categoryIndex, int categoryCount, Set<String> used) {
    int[] allCounts = new int[categoryCount];
    for (Located cat : c.all()) {
      allCounts[category(cat, categoryIndex)]++;
      used.add(cat.value());
    }
    int[] any = new int[c.any().size()];
    for (int i = 0; i < any.length; i++) {
      any[i] = category(c.any().get(i), categoryIndex);
      used.add(c.any().get(i).value());
    }
    int[] mentioned = new int[c.mentioned().size()];
    for (int i = 0; i < mentioned.length; i++) {
      mentioned[i] = category(c.mentioned().get(i), categoryIndex);
    }
    boolean message = false;
    if (c.scope() != null) {
      switch (c.scope().value()) {
        case "sentence":
          break;
        case "message":
          message = true;
          break;
        default:
          throw c.scope().error("scope is 'sentence' or 'message', not '" + c.scope().value() + "'");
      }
    }
    return new CompiledRules.Condition(allCounts, any, mentioned, message);
  }

  private static int category(Located cat, Map<String, Integer> categoryIndex) {
    Integer idx = categoryIndex.get(cat.value());
    if (idx == null) {
      throw cat.error("no lexicon category '" + cat.value() + "'; known: " + new java.util.TreeSet<>(categoryIndex.keySet()));
    }
    return idx;
  }

  private static CompiledRules.Qualifier qualifier(
      String name,
      Map<String, Map<String, Located>> scalars,
      Map<String, Located> idOwners,
      RuleFile lastFile,
      int priority) {
    Map<String, Located> s = scalars.get(name);
    Located rule = s.get("rule");
    if (rule == null) {
      throw new InvalidRulesException(lastFile.source, 0, "cues." + name + ".rule", "is required (the rule id reported for such findings)");
    }
    checkId(rule);
    checkUnique(idOwners, rule);
    int window = RuleFile.CUE_SCALARS.get(name).contains("window") ? window(s, name, "window", lastFile) : 0;
    int after =
        RuleFile.CUE_SCALARS.get(name).contains("after-window")
            ? window(s, name, "after-window", lastFile)
            : RuleFile.CUE_SCALARS.get(name).contains("current-window") ? window(s, name, "current-window", lastFile) : 0;
    return new CompiledRules.Qualifier(rule.value(), priority, window, after);
  }

  private static int window(Map<String, Located> s, String cue, String key, RuleFile lastFile) {
    Located w = s.get(key);
    if (w == null) {
      throw new InvalidRulesException(lastFile.source, 0, "cues." + cue + "." + key, "is required (a number of words)");
    }
    try {
      int n = Integer.parseInt(w.value());
      if (n >= 0 && n <= MAX_WINDOW) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw w.error("a window is a whole number of words from 0 to " + MAX_WINDOW + ", not '" + w.value() + "'");
  }

  private static Severity severity(Located s) {
    try {
      return Severity.valueOf(s.value().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw s.error("'" + s.value() + "' is not a severity; use CRITICAL, HIGH, WATCH or NONE");
    }
  }

  private static void checkId(Located id) {
    if (!id.value().matches(ID_SYNTAX) || id.value().equals("none")) {
      throw id.error(
          "'" + id.value() + "' is not a valid rule id: lower-case words separated by '.', such as"
              + " 'ideation.first-person' ('none' is reserved)");
    }
  }

  private static void checkUnique(Map<String, Located> owners, Located id) {
    Located earlier = owners.putIfAbsent(id.value(), id);
    if (earlier != null && earlier != id) {
      throw id.error("id '" + id.value() + "' is already used at " + earlier.source() + ":" + earlier.line() + " (" + earlier.path() + ")");
    }
  }
}

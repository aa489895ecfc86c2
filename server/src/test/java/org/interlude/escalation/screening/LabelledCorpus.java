package org.interlude.escalation.screening;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.interlude.escalation.Severity;

/** A labelled message file ({@code LABEL<TAB>text}, {@code #} comments) and scoring against it. */
final class LabelledCorpus {

  record Example(int line, Severity label, String text) {}

  /** One screened example. */
  record Outcome(Example example, Screening screening) {
    boolean correct() {
      return screening.severity() == example.label();
    }
  }

  private LabelledCorpus() {}

  static List<Example> read(String resource) {
    InputStream in = LabelledCorpus.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + resource);
    }
    List<Example> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
          throw new IllegalStateException(resource + ":" + n + ": expected LABEL<TAB>text");
        }
        out.add(new Example(n, Severity.valueOf(line.substring(0, tab).trim()), line.substring(tab + 1)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static List<Outcome> screen(ChatScreener screener, List<Example> examples) {
    List<Outcome> out = new ArrayList<>(examples.size());
    for (Example e : examples) {
      out.add(new Outcome(e, screener.screen(e.text())));
    }
    return out;
  }

  /** confusion[label][predicted]. */
  static int[][] confusion(List<Outcome> outcomes) {
    int k = Severity.values().length;
    int[][] m = new int[k][k];
    for (Outcome o : outcomes) {
      m[o.example().label().ordinal()][o.screening().severity().ordinal()]++;
    }
    return m;
  }

  /** A printable confusion matrix with precision and recall per class, most severe first. */
  static String report(String title, List<Outcome> outcomes) {
    int[][] m = confusion(outcomes);
    Severity[] order = {Severity.CRITICAL, Severity.HIGH, Severity.WATCH, Severity.NONE};
    StringBuilder sb = new StringBuilder();
    sb.append(title).append(" (").append(outcomes.size()).append(" messages)\n");
    sb.append(String.format("%-14s", "label \\ pred"));
    for (Severity p : order) {
      sb.append(String.format("%9s", p));
    }
    sb.append(String.format("%8s%n", "total"));
    for (Severity l : order) {
      sb.append(String.format("%-14s", l));
      int total = 0;
      for (Severity p : order) {
        sb.append(String.format("%9d", m[l.ordinal()][p.ordinal()]));
        total += m[l.ordinal()][p.ordinal()];
      }
      sb.append(String.format("%8d%n", total));
    }
    sb.append(String.format("%n%-10s%11s%9s%n", "class", "precision", "recall"));
    Map<Severity, double[]> pr = precisionRecall(m);
    for (Severity s : order) {
      double[] v = pr.get(s);
      sb.append(String.format("%-10s%11s%9s%n", s, pct(v[0]), pct(v[1])));
    }
    int correct = 0;
    for (Severity s : order) {
      correct += m[s.ordinal()][s.ordinal()];
    }
    sb.append(String.format("exact agreement %s%n", pct(correct / (double) outcomes.size())));
    return sb.toString();
  }

  static Map<Severity, double[]> precisionRecall(int[][] m) {
    Map<Severity, double[]> out = new EnumMap<>(Severity.class);
    for (Severity s : Severity.values()) {
      int tp = m[s.ordinal()][s.ordinal()];
      int predicted = 0;
      int actual = 0;
      for (Severity o : Severity.values()) {
        predicted += m[o.ordinal()][s.ordinal()];
        actual += m[s.ordinal()][o.ordinal()];
      }
      out.put(s, new double[] {predicted == 0 ? Double.NaN : tp / (double) predicted, actual == 0 ? Double.NaN : tp / (double) actual});
    }
    return out;
  }

  static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format("%.1f%%", 100 * v);
  }

  /** Lists misclassified examples by line number and rule id; used only in test output. */
  static String misses(List<Outcome> outcomes) {
    StringBuilder sb = new StringBuilder();
    for (Outcome o : outcomes) {
      if (!o.correct()) {
        sb.append(String.format(
            "  line %d: labelled %s, screened %s (%s): %s%n",
            o.example().line(), o.example().label(), o.screening().severity(), o.screening().ruleId(), o.example().text()));
      }
    }
    return sb.toString();
  }
}

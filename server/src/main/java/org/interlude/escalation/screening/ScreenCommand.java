package org.interlude.escalation.screening;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Dry-run command line for the screening rules: reads messages one per line on standard input and
 * prints one line per message, {@code SEVERITY<TAB>rule-id<TAB>text}, where SEVERITY is CRITICAL,
 * HIGH, WATCH or NONE and rule-id is {@code none} for NONE. Clinicians use it to check a rules
 * change against their own example messages before it goes live.
 *
 * <pre>
 *   ScreenCommand [--rules FILE]... [--explain] &lt; messages.txt
 * </pre>
 *
 * <ul>
 *   <li>{@code --rules FILE} adds a clinic override file after the bundled rules (repeatable, in
 *       order).
 *   <li>{@code --explain} prints, after each message line, one line per finding: {@code
 *       <TAB>SEVERITY<TAB>rule-id<TAB>start-end<TAB>cue}.
 * </ul>
 *
 * <p>Exit status: 0 success; 1 the rules could not be loaded or output failed; 2 usage error.
 * Errors go to standard error and never contain message text. Input and output are UTF-8.
 */
public final class ScreenCommand {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final String USAGE_TEXT =
      "usage: screen [--rules FILE]... [--explain] < messages.txt\n"
          + "  Reads one chat message per line and prints SEVERITY<TAB>rule-id<TAB>text.\n"
          + "  --rules FILE  clinic override rules merged after the bundled rules (repeatable)\n"
          + "  --explain     also print each finding: <TAB>SEVERITY<TAB>rule-id<TAB>start-end<TAB>cue\n";

  private ScreenCommand() {}

  /** Runs the command with the process's standard streams and exits with its status. */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    int status = run(args, System.in, out, err);
    out.flush();
    System.exit(status);
  }

  /**
   * Runs the command.
   *
   * @param args command-line arguments
   * @param in messages, UTF-8, one per line
   * @param out results, one line per message (plus finding lines with {@code --explain})
   * @param err usage and error messages
   * @return the exit status: 0 success, 1 failure, 2 usage error
   */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    List<Path> overrides = new ArrayList<>();
    boolean explain = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--rules":
          if (i + 1 >= args.length) {
            err.print("screen: --rules needs a file\n" + USAGE_TEXT);
            return USAGE;
          }
          overrides.add(Path.of(args[++i]));
          break;
        case "--explain":
          explain = true;
          break;
        case "-h":
        case "--help":
          out.print(USAGE_TEXT);
          out.flush();
          return OK;
        default:
          err.print("screen: unknown argument '" + a + "'\n" + USAGE_TEXT);
          return USAGE;
      }
    }

    ScreeningRules rules;
    try {
      rules = overrides.isEmpty() ? ScreeningRules.bundled() : ScreeningRules.bundledWith(overrides.toArray(new Path[0]));
    } catch (InvalidRulesException e) {
      err.println("screen: invalid rules: " + e.getMessage());
      return FAILED;
    } catch (IOException e) {
      err.println("screen: cannot read rules file: " + e.getMessage());
      return FAILED;
    }

    ChatScreener screener = new ChatScreener(rules);
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      boolean first = true;
      while ((line = reader.readLine()) != null) {
        if (first && line.startsWith("\uFEFF")) {
          line = line.substring(1); // a byte-order mark from an editor is not part of the message
        }
        first = false;
        Screening s = screener.screen(line);
        out.append(s.severity().name()).append('\t').append(s.ruleId()).append('\t').append(line).append('\n');
        if (explain) {
          for (Finding f : s.findings()) {
            out.append('\t').append(f.severity().name()).append('\t').append(f.ruleId()).append('\t')
                .append(Integer.toString(f.start())).append('-').append(Integer.toString(f.end())).append('\t')
                .append(f.cue()).append('\n');
          }
        }
      }
    } catch (IOException e) {
      err.println("screen: cannot read input: " + e.getClass().getSimpleName());
      return FAILED;
    }
    out.flush();
    if (out.checkError()) {
      err.println("screen: could not write output");
      return FAILED;
    }
    return OK;
  }
}

package org.interlude.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin command line ({@code scripts/interlude}). Each command is a {@link Command}; exit
 * codes: 0 success, 1 the operation failed, 2 bad usage.
 */
public final class Cli {
  /** One sub-command. */
  interface Command {
    String summary();

    int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception;
  }

  private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  private Cli() {}

  static void register(String name, Command c) {
    COMMANDS.put(name, c);
  }

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.println("usage: scripts/interlude <command> [options]");
      out.println();
      for (Map.Entry<String, Command> e : COMMANDS.entrySet()) {
        out.printf("  %-14s %s%n", e.getKey(), e.getValue().summary());
      }
      return args.length == 0 ? 2 : 0;
    }
    Command c = COMMANDS.get(args[0]);
    if (c == null) {
      err.println("unknown command: " + args[0] + " (see scripts/interlude help)");
      return 2;
    }
    try {
      return c.run(Arrays.copyOfRange(args, 1, args.length), in, out, err);
    } catch (Exception e) {
      err.println(args[0] + ": " + e.getMessage());
      return 1;
    }
  }

  static {
    register("version", new Command() {
      @Override
      public String summary() {
        return "print the version of this build";
      }

      @Override
      public int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String v = Cli.class.getPackage().getImplementationVersion();
        out.println("interlude " + (v == null ? "development build" : v));
        return 0;
      }
    });
  }
}

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
    } catch (Usage e) {
      err.println(args[0] + ": " + e.getMessage());
      return 2;
    } catch (Exception e) {
      err.println(args[0] + ": " + e.getMessage());
      return 1;
    }
  }

  /** Parsed {@code --name value} options; a name may repeat (e.g. {@code --role}). */
  record Options(java.util.Map<String, java.util.List<String>> values, java.util.List<String> words) {
    static Options parse(String[] args) {
      java.util.Map<String, java.util.List<String>> v = new java.util.LinkedHashMap<>();
      java.util.List<String> words = new java.util.ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].startsWith("--")) {
          String name = args[i].substring(2);
          String value = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : "true";
          v.computeIfAbsent(name, k -> new java.util.ArrayList<>()).add(value);
        } else {
          words.add(args[i]);
        }
      }
      return new Options(v, words);
    }

    String get(String name, String def) {
      java.util.List<String> l = values.get(name);
      return l == null ? def : l.get(l.size() - 1);
    }

    String require(String name) {
      String v = get(name, null);
      if (v == null || v.isBlank()) {
        throw new Usage("missing --" + name);
      }
      return v;
    }

    java.util.List<String> all(String name) {
      return values.getOrDefault(name, java.util.List.of());
    }
  }

  /** Bad usage (exit code 2). */
  static final class Usage extends RuntimeException {
    Usage(String message) {
      super(message, null, false, false);
    }
  }

  /** Signs in to the server named by the common options. */
  static AdminClient admin(Options o, PrintStream err) throws Exception {
    java.net.URI url = java.net.URI.create(o.get("url", System.getenv().getOrDefault("INTERLUDE_URL", "https://localhost:8443")));
    String ca = o.get("cacert", System.getenv("INTERLUDE_CACERT"));
    java.nio.file.Path caPath = ca != null ? java.nio.file.Path.of(ca)
        : java.nio.file.Files.exists(java.nio.file.Path.of("data/tls/cert.pem")) ? java.nio.file.Path.of("data/tls/cert.pem") : null;
    String user = o.get("admin", System.getenv().getOrDefault("INTERLUDE_ADMIN_USER", "admin"));
    String password = System.getenv("INTERLUDE_ADMIN_PASSWORD");
    if (password == null || password.isEmpty()) {
      java.io.Console console = System.console();
      if (console == null) {
        throw new Usage("set INTERLUDE_ADMIN_PASSWORD (no terminal to ask for " + user + "'s password)");
      }
      char[] pw = console.readPassword("%s's password: ", user);
      password = pw == null ? "" : new String(pw);
    }
    AdminClient c = AdminClient.connect(url, caPath);
    c.login(user, password, o.get("totp", System.getenv("INTERLUDE_ADMIN_TOTP")));
    return c;
  }

  static void progressBar(PrintStream err, long done, long total) {
    int width = 30;
    int filled = total == 0 ? width : (int) Math.min(width, done * width / total);
    err.print("\r[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total + " data keys");
    err.flush();
  }

  static String readSecretLine(InputStream in) throws java.io.IOException {
    java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null || line.isEmpty()) {
      throw new Usage("give the new user's password on standard input (one line)");
    }
    return line;
  }

  static String userId(AdminClient c, String username) throws Exception {
    return c.json("GET", "/api/admin/users/lookup?username=" + java.net.URLEncoder.encode(username,
        java.nio.charset.StandardCharsets.UTF_8), null).getString("id");
  }

  private static Command command(String summary, CommandBody body) {
    return new Command() {
      @Override
      public String summary() {
        return summary;
      }

      @Override
      public int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception {
        return body.run(Options.parse(args), in, out, err);
      }
    };
  }

  /** The body of a command, with parsed options. */
  @FunctionalInterface
  interface CommandBody {
    int run(Options o, InputStream in, PrintStream out, PrintStream err) throws Exception;
  }

  static {
    register("version", command("print the version of this build", (o, in, out, err) -> {
      String v = Cli.class.getPackage().getImplementationVersion();
      out.println("interlude " + (v == null ? "development build" : v));
      return 0;
    }));
    register("user", command("user add --role R [--role R] --username U --display-name D [--time-zone Z]"
        + " (password on stdin) | user disable --username U", (o, in, out, err) -> {
      String action = o.words().isEmpty() ? "" : o.words().get(0);
      if (action.equals("add")) {
        io.vertx.core.json.JsonArray roles = new io.vertx.core.json.JsonArray();
        for (String r : o.all("role")) {
          roles.add(r);
        }
        if (roles.isEmpty()) {
          throw new Usage("give at least one --role (client, therapist, oncall, admin)");
        }
        io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject().put("username", o.require("username"))
            .put("displayName", o.require("display-name")).put("roles", roles).put("password", readSecretLine(in));
        if (o.get("time-zone", null) != null) {
          body.put("timeZone", o.get("time-zone", null));
        }
        AdminClient c = admin(o, err);
        String id = c.json("POST", "/api/admin/users", body).getString("userId");
        out.println("added " + o.require("username") + " (" + id + ")");
        return 0;
      }
      if (action.equals("disable")) {
        AdminClient c = admin(o, err);
        c.json("POST", "/api/admin/users/" + userId(c, o.require("username")) + "/disable", null);
        out.println("disabled " + o.require("username") + "; their sessions have ended");
        return 0;
      }
      throw new Usage("user add ... | user disable --username U");
    }));
    register("invite", command("invite --username U --display-name D [--time-zone Z]: a client invitation link",
        (o, in, out, err) -> {
          io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject().put("username", o.require("username"))
              .put("displayName", o.require("display-name"));
          if (o.get("time-zone", null) != null) {
            body.put("timeZone", o.get("time-zone", null));
          }
          io.vertx.core.json.JsonObject r = admin(o, err).json("POST", "/api/invitations", body);
          out.println(r.getString("invitationUrl"));
          out.println("valid until " + r.getString("expiresAt") + "; single use. Send it to the client privately.");
          return 0;
        }));
    register("care-team", command("care-team add|remove --client U --therapist U", (o, in, out, err) -> {
      String action = o.words().isEmpty() ? "" : o.words().get(0);
      if (!action.equals("add") && !action.equals("remove")) {
        throw new Usage("care-team add|remove --client U --therapist U");
      }
      AdminClient c = admin(o, err);
      String client = userId(c, o.require("client"));
      String therapist = userId(c, o.require("therapist"));
      c.json(action.equals("add") ? "PUT" : "DELETE", "/api/admin/clients/" + client + "/care-team/" + therapist, null);
      out.println((action.equals("add") ? "added " : "removed ") + o.require("therapist")
          + (action.equals("add") ? " to " : " from ") + o.require("client") + "'s care team");
      return 0;
    }));
    register("audit", command("audit verify: check the clinic's audit hash chain and name the first broken row",
        (o, in, out, err) -> {
          if (o.words().isEmpty() || !o.words().get(0).equals("verify")) {
            throw new Usage("audit verify");
          }
          io.vertx.core.json.JsonObject r = admin(o, err).json("GET", "/api/admin/audit/verify", null);
          if (r.getBoolean("ok")) {
            out.println("audit chain intact: " + r.getLong("rows") + " rows verified");
            return 0;
          }
          io.vertx.core.json.JsonObject b = r.getJsonObject("firstBroken");
          out.println("audit chain BROKEN at row id " + b.getLong("id") + " (chain " + b.getString("chain") + ", position "
              + b.getLong("chainSeq") + "): " + b.getString("reason"));
          return 1;
        }));
    register("keys", command("keys rotate: add a master key version and re-wrap every data key (progress bar)",
        (o, in, out, err) -> {
          if (o.words().isEmpty() || !o.words().get(0).equals("rotate")) {
            throw new Usage("keys rotate");
          }
          AdminClient c = admin(o, err);
          io.vertx.core.json.JsonObject state = c.json("POST", "/api/admin/keys/rotation", null);
          while ("running".equals(state.getString("state"))) {
            progressBar(err, state.getLong("done", 0L), state.getLong("total", 0L));
            Thread.sleep(200);
            state = c.json("GET", "/api/admin/keys/rotation", null);
          }
          progressBar(err, state.getLong("done", 0L), state.getLong("total", 0L));
          err.println();
          if (!"done".equals(state.getString("state"))) {
            out.println("rotation failed: " + state.getString("error", "unknown error"));
            return 1;
          }
          out.println("master key now at version " + state.getInteger("version") + "; " + state.getLong("done")
              + " data keys re-wrapped. Old versions stay readable; back up the key ring file now.");
          return 0;
        }));
    register("certs", command("certs ca --out DIR | certs node --ca DIR --name NODE --host H [--host H2] --out DIR:"
        + " cluster CA and node certificates for the mutual-TLS event bus, without a server", (o, in, out, err) -> {
          String action = o.words().isEmpty() ? "" : o.words().get(0);
          java.nio.file.Path dir = java.nio.file.Path.of(o.require("out"));
          if (action.equals("ca")) {
            org.interlude.cluster.ClusterCertificates.createCa(dir, o.get("name", "Interlude cluster CA"));
            out.println("cluster CA written to " + dir.resolve(org.interlude.cluster.ClusterCertificates.CA_CERT) + " and "
                + dir.resolve(org.interlude.cluster.ClusterCertificates.CA_KEY)
                + " (mode 0600). Keep the key offline; give nodes only ca.pem and their own certificate.");
            return 0;
          }
          if (action.equals("node")) {
            java.util.List<String> hosts = o.all("host");
            if (hosts.isEmpty() || hosts.contains("true")) {
              throw new Usage("give at least one --host (the node's cluster.host as the other nodes reach it)");
            }
            org.interlude.cluster.ClusterCertificates.NodeFiles f = org.interlude.cluster.ClusterCertificates.createNode(
                java.nio.file.Path.of(o.require("ca")), o.require("name"), hosts, dir);
            out.println("cluster.tls.ca_file: " + f.ca());
            out.println("cluster.tls.cert_file: " + f.cert());
            out.println("cluster.tls.key_file: " + f.key());
            return 0;
          }
          throw new Usage("certs ca --out DIR | certs node --ca DIR --name NODE --host H [--host H2] --out DIR");
        }));
    register("screen", command("screen [--rules FILE] [--explain]: classify messages (one per line on stdin)"
        + " with the chat screening rules, without a server", (o, in, out, err) -> {
          java.util.List<String> args = new java.util.ArrayList<>();
          for (String f : o.all("rules")) {
            args.add("--rules");
            args.add(f);
          }
          if (o.values().containsKey("explain")) {
            args.add("--explain");
          }
          return org.interlude.escalation.screening.ScreenCommand.run(args.toArray(String[]::new), in, out, err);
        }));
  }
}

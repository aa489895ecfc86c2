package org.interlude.bench;

import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A system under test: a process on a port, and the users the load generator connects as. */
abstract class Target implements AutoCloseable {
  final String name;
  final int port;
  Process process;
  final StringBuffer output = new StringBuffer();

  Target(String name, int port) {
    this.name = name;
    this.port = port;
  }

  long pid() {
    return process.pid();
  }

  /** PIDs of helper processes whose CPU counts as the target's (Interlude: its PostgreSQL). */
  List<Long> helperPids() {
    return List.of();
  }

  abstract WebSocketConnectOptions endpoint(Identity who);

  /** n chat pairs: [client, therapist] sharing one conversation. */
  abstract List<Identity[]> pairs(int n) throws Exception;

  /** n users with a conversation of their own that nobody writes to. */
  abstract List<Identity> idleUsers(int n) throws Exception;

  /** Heap in use (bytes) or -1 when the target has no JVM heap. */
  abstract long heapBytes();

  boolean hasEscalation() {
    return false;
  }

  /** True when the target is a JVM (its GC counters and heap limit go into the results). */
  abstract boolean isJvm();

  void start(List<String> cmd, Map<String, String> env, String readyPrefix, Duration timeout) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("INTERLUDE_"));
    pb.environment().putAll(env);
    process = pb.start();
    CountDownLatch ready = new CountDownLatch(1);
    // BENCH_TARGET_LOG=<prefix> keeps each target's whole output in <prefix><name>.log, for
    // reading its warnings (blocked threads, slow queries) after a run.
    String logPrefix = System.getenv("BENCH_TARGET_LOG");
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
          java.io.Writer log = logPrefix == null ? java.io.Writer.nullWriter()
              : java.nio.file.Files.newBufferedWriter(java.nio.file.Path.of(logPrefix + name + ".log"))) {
        String line;
        while ((line = r.readLine()) != null) {
          log.write(line);
          log.write('\n');
          if (output.length() < 200_000) {
            output.append(line).append('\n');
          }
          if (line.startsWith(readyPrefix)) {
            ready.countDown();
          }
        }
      } catch (IOException ignored) {
        // process ended
      }
    }, name + "-output");
    t.setDaemon(true);
    t.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.await(200, TimeUnit.MILLISECONDS) && process.isAlive() && System.nanoTime() < deadline) {
      // waiting for the ready line
    }
    if (ready.getCount() > 0) {
      Thread.sleep(300); // the rest of its output
      close();
      throw new IllegalStateException(name + " not ready (exited or timed out after " + timeout + "):\n" + output);
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy(); // SIGTERM: Interlude drains and stops its PostgreSQL
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** A relay baseline: no auth; users and conversations are named in the query string. */
  static final class Relay extends Target {
    private int next;
    private final boolean jvm;

    Relay(String name, int port, boolean jvm) {
      super(name, port);
      this.jvm = jvm;
    }

    @Override
    WebSocketConnectOptions endpoint(Identity who) {
      return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setSsl(true)
          .setURI("/ws?u=" + who.user() + "&c=" + who.conversation()).addHeader("Origin", "https://localhost:" + port)
          .setSubProtocols(List.of("interlude.v1"));
    }

    @Override
    synchronized List<Identity[]> pairs(int n) {
      List<Identity[]> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String conv = UUID.randomUUID().toString();
        int k = next++;
        out.add(new Identity[] {new Identity("c" + k, "c" + k, null, conv), new Identity("t" + k, "t" + k, null, conv)});
      }
      return out;
    }

    @Override
    synchronized List<Identity> idleUsers(int n) {
      List<Identity> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = next++;
        out.add(new Identity("i" + k, "i" + k, null, UUID.randomUUID().toString()));
      }
      return out;
    }

    @Override
    long heapBytes() {
      return jvm ? ProcStats.jcmdHeapUsed(pid()) : -1;
    }

    @Override
    boolean isJvm() {
      return jvm;
    }
  }

  /** The real Interlude node: users are provisioned through the admin API and log in over HTTPS. */
  static final class Interlude extends Target {
    static final String PASSWORD = "bench-correct-horse-battery-42";
    final int managementPort;
    final Path dataDir;
    private final HttpClient http = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(10))
        .version(HttpClient.Version.HTTP_1_1).build();
    private String adminCookie;
    private String adminCsrf;
    private int next;

    Interlude(int port, int managementPort, Path dataDir) {
      super("interlude", port);
      this.managementPort = managementPort;
      this.dataDir = dataDir;
    }

    String origin() {
      return "https://localhost:" + port;
    }

    @Override
    boolean hasEscalation() {
      return true;
    }

    @Override
    boolean isJvm() {
      return true;
    }

    @Override
    List<Long> helperPids() {
      return ProcStats.postgresTree(dataDir.resolve("pg").toAbsolutePath().toString());
    }

    @Override
    WebSocketConnectOptions endpoint(Identity who) {
      return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setSsl(true).setURI("/ws")
          .addHeader("Origin", origin()).addHeader("Cookie", who.cookie()).setSubProtocols(List.of("interlude.v1"));
    }

    @Override
    long heapBytes() {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/metrics"))
            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        long sum = 0;
        for (String line : r.body().split("\n")) {
          if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
            sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
        if (sum > 0) {
          return sum;
        }
      } catch (Exception e) {
        // fall through to jcmd
      }
      // The management port does not export jvm_memory_used_bytes (no JVM memory binder): jcmd.
      return ProcStats.jcmdHeapUsed(pid());
    }

    private HttpResponse<String> call(String method, String path, String cookie, String csrf, JsonObject body) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(120)).header("Origin", origin());
      if (cookie != null) {
        b.header("Cookie", cookie);
      }
      if (csrf != null) {
        b.header("X-CSRF-Token", csrf);
      }
      b.header("Content-Type", "application/json");
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in; returns {cookie, csrf, userId}. */
    String[] login(String username, String password) throws Exception {
      HttpResponse<String> r = call("POST", "/api/auth/login", null, null,
          new JsonObject().put("username", username).put("password", password));
      if (r.statusCode() != 200) {
        throw new IllegalStateException("login of " + username + ": " + r.statusCode() + " " + r.body());
      }
      String sc = r.headers().firstValue("Set-Cookie").orElseThrow();
      JsonObject me = new JsonObject(r.body());
      return new String[] {sc.substring(0, sc.indexOf(';')), me.getString("csrfToken"), me.getJsonObject("user").getString("id")};
    }

    void adminLogin(String password) throws Exception {
      String[] s = login("admin", password);
      adminCookie = s[0];
      adminCsrf = s[1];
    }

    private String addUser(String username, String role) throws Exception {
      JsonObject body = new JsonObject().put("username", username).put("displayName", "Bench " + username)
          .put("roles", new io.vertx.core.json.JsonArray().add(role)).put("password", PASSWORD);
      return expect(201, "add user " + username, call("POST", "/api/admin/users", adminCookie, adminCsrf, body))
          .getString("userId");
    }

    /** The body of an answer with the expected status (an empty object when it has none), else fails. */
    private static JsonObject expect(int status, String what, HttpResponse<String> r) {
      if (r.statusCode() != status) {
        throw new IllegalStateException(what + ": " + r.statusCode() + " " + r.body());
      }
      return r.body() == null || r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
    }

    void careTeam(String clientId, String therapistId) throws Exception {
      HttpResponse<String> r = call("PUT", "/api/admin/clients/" + clientId + "/care-team/" + therapistId, adminCookie, adminCsrf, null);
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException("care team: " + r.statusCode() + " " + r.body());
      }
    }

    /** Creates and logs in a user (admin API, then the login endpoint like a browser). */
    Identity user(String username, String role) throws Exception {
      return staff(username, role).identity();
    }

    /** A logged-in user with the CSRF token its REST calls need (a therapist changing plans). */
    record Session(Identity identity, String csrf) {}

    /** As {@link #user}, keeping the CSRF token for REST calls as that user. */
    Session staff(String username, String role) throws Exception {
      addUser(username, role);
      String[] s = login(username, PASSWORD);
      return new Session(new Identity(username, s[2], s[0], null), s[1]);
    }

    /** PUT /api/clients/{id}/plan as {@code as} (a therapist of the client's care team). */
    void putPlan(Session as, String clientId, JsonObject plan) throws Exception {
      expect(200, "plan of " + clientId, call("PUT", "/api/clients/" + clientId + "/plan", as.identity().cookie(), as.csrf(),
          plan));
    }

    /** POST /api/clients/{id}/dosing-sessions as {@code as}: its prompts are scheduled at once. */
    String addDosingSession(Session as, String clientId, java.time.Instant startsAt) throws Exception {
      return expect(201, "dosing session of " + clientId, call("POST", "/api/clients/" + clientId + "/dosing-sessions",
          as.identity().cookie(), as.csrf(), new JsonObject().put("startsAt", startsAt.toString()).put("route", "sublingual")))
          .getString("id");
    }

    /**
     * Makes {@code onCallUserId} the one on call, around the clock: a rotation with that single
     * member, and a default escalation policy whose only level pages the rotation.
     *
     * @return the coverage gaps the policy reports (none expected)
     */
    io.vertx.core.json.JsonArray onCall(String onCallUserId) throws Exception {
      JsonObject rotation = new JsonObject().put("name", "bench on-call").put("timeZone", "UTC").put("handoffTime", "00:00")
          .put("shiftDays", 7).put("startDate", java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1).toString())
          .put("members", new io.vertx.core.json.JsonArray().add(onCallUserId));
      String rotationId = expect(201, "rotation", call("POST", "/api/admin/oncall/rotations", adminCookie, adminCsrf, rotation))
          .getString("id");
      // repeat 0: one run of the chain, so no re-page lands in a later measurement.
      JsonObject policy = new JsonObject().put("name", "bench").put("isDefault", true).put("repeat", 0)
          .put("levels", new io.vertx.core.json.JsonArray().add(new JsonObject()
              .put("targets", new io.vertx.core.json.JsonArray().add(new JsonObject().put("rotationId", rotationId)))));
      JsonObject saved = expect(201, "policy", call("POST", "/api/admin/escalation/policies", adminCookie, adminCsrf, policy));
      return saved.getJsonArray("coverageGaps", new io.vertx.core.json.JsonArray());
    }

    static <T> List<T> parallel(int n, int concurrency, ThrowingInt<T> make) throws Exception {
      Semaphore sem = new Semaphore(concurrency);
      List<CompletableFuture<T>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        sem.acquire();
        fs.add(CompletableFuture.supplyAsync(() -> {
          try {
            return make.apply(k);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          } finally {
            sem.release();
          }
        }));
      }
      List<T> out = new ArrayList<>();
      for (CompletableFuture<T> f : fs) {
        out.add(f.get(10, TimeUnit.MINUTES));
      }
      return out;
    }

    interface ThrowingInt<T> {
      T apply(int i) throws Exception;
    }

    private synchronized int reserve(int n) {
      int s = next;
      next += n;
      return s;
    }

    @Override
    List<Identity[]> pairs(int n) throws Exception {
      int base = reserve(n);
      return parallel(n, 4, i -> {
        Identity c = user("bench-c" + (base + i), "client");
        Identity t = user("bench-t" + (base + i), "therapist");
        careTeam(c.userId(), t.userId());
        return new Identity[] {c, t};
      });
    }

    @Override
    List<Identity> idleUsers(int n) throws Exception {
      int base = reserve(n);
      return parallel(n, 4, i -> user("bench-i" + (base + i), "client"));
    }

    /** Who takes part in the escalation scenario: consoles and the clients who report a crisis. */
    record CrisisClinic(Identity onCall, Identity careTeam, List<Identity> clients, io.vertx.core.json.JsonArray coverageGaps) {}

    /**
     * An on-call user paged through a rotation and the default policy ({@link #onCall}), a
     * therapist, and n clients in that therapist's care team (not the on-call user's).
     */
    CrisisClinic crisisClinic(int n) throws Exception {
      int base = reserve(n + 2);
      Identity onCall = user("bench-oncall" + base, "oncall");
      Identity console = user("bench-console" + (base + 1), "therapist");
      io.vertx.core.json.JsonArray gaps = onCall(onCall.userId());
      List<Identity> clients = parallel(n, 4, i -> {
        Identity c = user("bench-k" + (base + 2 + i), "client");
        careTeam(c.userId(), console.userId());
        return c;
      });
      return new CrisisClinic(onCall, console, clients, gaps);
    }

    /** A therapist and n clients in its care team (for the check-in burst). */
    Session checkinClinic(int n, List<Identity> clients) throws Exception {
      int base = reserve(n + 1);
      Session therapist = staff("bench-planner" + base, "therapist");
      clients.addAll(parallel(n, 4, i -> {
        Identity c = user("bench-p" + (base + 1 + i), "client");
        careTeam(c.userId(), therapist.identity().userId());
        return c;
      }));
      return therapist;
    }

    static SSLContext trustAll() {
      try {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        }}, null);
        return ctx;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}

package org.interlude.cluster.fault;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.interlude.testing.Https;

/**
 * People for the fault tests, made through the product's own REST API behind the balancer, as an
 * administrator would: users ({@code POST /api/admin/users}), care teams, on-call rotations and an
 * escalation policy; and sign-ins like a browser's (Origin of the balancer, session cookie, CSRF
 * token). Sessions live in PostgreSQL, so one sign-in serves every node.
 */
final class Accounts {
  static final String PASSWORD = "correct-horse-battery-staple-42";

  /** A signed-in user. */
  record Session(String username, UUID userId, String cookie, String csrf) {}

  private final String base;
  private final HttpClient http = Https.client();
  private final Session admin;

  Accounts(String balancerUrl) {
    this.base = balancerUrl;
    this.admin = login("admin", FaultCluster.ADMIN_PASSWORD);
  }

  Session login(String username, String password) {
    HttpResponse<String> r = call("POST", "/api/auth/login", null,
        new JsonObject().put("username", username).put("password", password));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login of " + username + ": " + r.statusCode() + " " + r.body());
    }
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    JsonObject me = new JsonObject(r.body());
    return new Session(username, UUID.fromString(me.getJsonObject("user").getString("id")),
        setCookie.substring(0, setCookie.indexOf(';')), me.getString("csrfToken"));
  }

  UUID addUser(String username, String role) {
    HttpResponse<String> r = call("POST", "/api/admin/users", admin, new JsonObject().put("username", username)
        .put("displayName", "Fault " + username).put("roles", new JsonArray().add(role)).put("password", PASSWORD));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("add user " + username + ": " + r.statusCode() + " " + r.body());
    }
    return UUID.fromString(new JsonObject(r.body()).getString("userId"));
  }

  void careTeam(UUID client, UUID therapist) {
    HttpResponse<String> r = call("PUT", "/api/admin/clients/" + client + "/care-team/" + therapist, admin, null);
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException("care team: " + r.statusCode() + " " + r.body());
    }
  }

  /**
   * The clinic's default policy: level 1 pages {@code first}, level 2 pages {@code second} after
   * {@code waitSeconds} (CRITICAL), no repeat. Each level is a one-person rotation, as a clinic
   * would set it up.
   */
  void policy(UUID first, UUID second, int waitSeconds) {
    UUID r1 = rotation("fault level 1", first);
    UUID r2 = rotation("fault level 2", second);
    JsonArray levels = new JsonArray();
    for (UUID r : List.of(r1, r2)) {
      levels.add(new JsonObject().put("targets", new JsonArray().add(new JsonObject().put("rotationId", r.toString())))
          .put("waitCriticalSeconds", waitSeconds).put("waitHighSeconds", waitSeconds));
    }
    HttpResponse<String> r = call("POST", "/api/admin/escalation/policies", admin, new JsonObject()
        .put("name", "fault policy").put("isDefault", true).put("repeat", 0).put("ackTimeoutMinutes", 0)
        .put("levels", levels));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("policy: " + r.statusCode() + " " + r.body());
    }
  }

  private UUID rotation(String name, UUID member) {
    HttpResponse<String> r = call("POST", "/api/admin/oncall/rotations", admin, new JsonObject().put("name", name)
        .put("timeZone", "UTC").put("handoffTime", "00:00").put("shiftDays", 7).put("startDate", "2020-01-06")
        .put("members", new JsonArray().add(member.toString())));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("rotation: " + r.statusCode() + " " + r.body());
    }
    return UUID.fromString(new JsonObject(r.body()).getString("id"));
  }

  /** Sets the clinic's webhook (plain http is allowed to loopback). */
  void webhook(String url, String secret) {
    HttpResponse<String> r = call("PUT", "/api/admin/escalation/webhook", admin,
        new JsonObject().put("url", url).put("secret", secret).put("format", "interlude"));
    if (r.statusCode() != 200) {
      throw new IllegalStateException("webhook: " + r.statusCode() + " " + r.body());
    }
  }

  /** Creates {@code n} client/therapist pairs with care teams, signed in; [client, therapist] each. */
  List<Session[]> pairs(String prefix, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Session[]>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String c = prefix + "-c" + i;
        String t = prefix + "-t" + i;
        fs.add(pool.submit(() -> {
          UUID cid = addUser(c, "client");
          UUID tid = addUser(t, "therapist");
          careTeam(cid, tid);
          return new Session[] {login(c, PASSWORD), login(t, PASSWORD)};
        }));
      }
      List<Session[]> out = new ArrayList<>();
      for (Future<Session[]> f : fs) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  String origin() {
    return base;
  }

  HttpResponse<String> call(String method, String path, Session who, JsonObject body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("Origin", base);
    if (who != null) {
      b.header("Cookie", who.cookie());
      if (!method.equals("GET")) {
        b.header("X-CSRF-Token", who.csrf());
      }
    }
    if (body != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    // The balancer may hand a request to a node that is going away: retry a few times, as a
    // browser's user would.
    RuntimeException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 503) {
          return r;
        }
        last = new IllegalStateException(method + " " + path + ": 503 " + r.body());
      } catch (Exception e) {
        last = new IllegalStateException(method + " " + path + " failed: " + e, e);
      }
      try {
        Thread.sleep(500L * (attempt + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw last;
      }
    }
    throw last;
  }
}

package org.interlude.testing;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A signed-in user for tests: logs in over HTTPS like a browser (Origin header, JSON body) and
 * keeps the session cookie and CSRF token for REST calls and WebSocket handshakes.
 */
public final class TestSession {
  public final int port;
  public final String cookie;
  public final String csrf;
  public final JsonObject me;
  private final HttpClient http = Https.client();

  private TestSession(int port, String cookie, String csrf, JsonObject me) {
    this.port = port;
    this.cookie = cookie;
    this.csrf = csrf;
    this.me = me;
  }

  public String origin() {
    return "https://localhost:" + port;
  }

  public static HttpResponse<String> loginResponse(int port, String username, String password) {
    try {
      return Https.client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/auth/login"))
          .header("Content-Type", "application/json").header("Origin", "https://localhost:" + port)
          .timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", username).put("password", password)
              .encode())).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static TestSession login(int port, String username, String password) {
    HttpResponse<String> r = loginResponse(port, username, password);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login of " + username + " failed: " + r.statusCode() + " " + r.body());
    }
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    JsonObject me = new JsonObject(r.body());
    return new TestSession(port, cookie, me.getString("csrfToken"), me);
  }

  public static TestSession login(int port, String username) {
    return login(port, username, Fixtures.PASSWORD);
  }

  public java.util.UUID userId() {
    return java.util.UUID.fromString(me.getJsonObject("user").getString("id"));
  }

  public HttpResponse<String> get(String path) {
    return send("GET", path, null);
  }

  public HttpResponse<String> send(String method, String path, JsonObject body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(30)).header("Cookie", cookie).header("Origin", origin());
      if (!method.equals("GET")) {
        b.header("X-CSRF-Token", csrf);
      }
      if (body != null) {
        b.header("Content-Type", "application/json");
        b.method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e, e);
    }
  }
}

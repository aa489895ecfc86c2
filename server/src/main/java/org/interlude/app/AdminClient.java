package org.interlude.app;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The admin CLI's HTTPS session with a running server: signs in as an administrator and calls
 * the REST API with the session cookie and CSRF token. It trusts the system's CAs, or exactly the
 * certificate given with {@code --cacert} (by default the node's self-signed
 * {@code data/tls/cert.pem} when it exists) — never "trust all".
 */
final class AdminClient {
  private final HttpClient http;
  private final URI base;
  private String cookie;
  private String csrf;

  private AdminClient(HttpClient http, URI base) {
    this.http = http;
    this.base = base;
  }

  static AdminClient connect(URI base, Path caCert) throws Exception {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1);
    if (caCert != null) {
      b.sslContext(trusting(caCert));
    }
    return new AdminClient(b.build(), base);
  }

  private static SSLContext trusting(Path cert) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      int i = 0;
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("server-" + (i++), (X509Certificate) c);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  void login(String username, String password, String totp) throws IOException, InterruptedException {
    JsonObject body = new JsonObject().put("username", username).put("password", password);
    if (totp != null && !totp.isBlank()) {
      body.put("totpCode", totp.trim());
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/auth/login"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new CliFailure("sign-in as " + username + " failed: " + message(r));
    }
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow(() -> new CliFailure("no session cookie"));
    cookie = setCookie.substring(0, setCookie.indexOf(';'));
    JsonObject me = new JsonObject(r.body());
    csrf = me.getString("csrfToken");
    if (!me.getJsonObject("user").getJsonArray("roles").contains("admin")) {
      throw new CliFailure(username + " is not an administrator");
    }
  }

  HttpResponse<String> call(String method, String path, JsonObject body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(10))
        .header("Cookie", cookie).header("X-CSRF-Token", csrf);
    if (body != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Calls and returns the JSON body, or fails with the server's message. */
  JsonObject json(String method, String path, JsonObject body) throws IOException, InterruptedException {
    HttpResponse<String> r = call(method, path, body);
    if (r.statusCode() / 100 != 2) {
      throw new CliFailure(method + " " + path + ": " + message(r));
    }
    return r.body() == null || r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
  }

  /** Streams a line-delimited JSON response (progress of long operations). */
  HttpResponse<java.util.stream.Stream<String>> lines(String method, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofHours(2)).header("Cookie", cookie)
        .header("X-CSRF-Token", csrf).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofLines());
  }

  static String message(HttpResponse<String> r) {
    try {
      JsonObject e = new JsonObject(r.body());
      return e.getString("message", r.body()) + " (" + e.getString("error", String.valueOf(r.statusCode())) + ")";
    } catch (RuntimeException notJson) {
      return "HTTP " + r.statusCode();
    }
  }

  /** A failure to report to the operator (exit code 1). */
  static final class CliFailure extends RuntimeException {
    CliFailure(String message) {
      super(message, null, false, false);
    }
  }
}

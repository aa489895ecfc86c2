package org.interlude.web;

import io.vertx.core.http.Cookie;
import java.util.List;

/** What a REST handler answers: a status, a JSON body (or none) and cookies to set. */
public record Reply(int status, Object body, List<Cookie> cookies) {
  public static Reply ok(Object body) {
    return new Reply(200, body, List.of());
  }

  public static Reply created(Object body) {
    return new Reply(201, body, List.of());
  }

  public static Reply noContent() {
    return new Reply(204, null, List.of());
  }

  public Reply withCookie(Cookie c) {
    List<Cookie> all = new java.util.ArrayList<>(cookies);
    all.add(c);
    return new Reply(status, body, List.copyOf(all));
  }
}

package org.interlude.web;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may make state-changing calls and open WebSockets: exactly the
 * configured https origins, compared as whole serialised origins (scheme, host, port) so
 * look-alike hosts, {@code null}, plain http and sub-domains are all refused.
 */
public final class OriginPolicy {
  private final Set<String> allowed;

  public OriginPolicy(List<String> allowedOrigins) {
    this.allowed = Set.copyOf(allowedOrigins);
  }

  /** For the WebSocket handshake: an Origin header is required and must be allowed. */
  public boolean webSocketAllowed(String origin) {
    return origin != null && allowed.contains(normalise(origin));
  }

  /**
   * For state-changing REST calls: a browser always sends Origin (or at least Sec-Fetch-Site)
   * on such requests, so either must say same origin; non-browser clients (the admin CLI) send
   * neither and rely on the CSRF token alone.
   */
  public boolean requestAllowed(String origin, String fetchSite) {
    if (origin != null) {
      return allowed.contains(normalise(origin));
    }
    if (fetchSite != null) {
      return fetchSite.equals("same-origin") || fetchSite.equals("none");
    }
    return true;
  }

  static String normalise(String origin) {
    try {
      URI u = URI.create(origin.trim());
      if (u.getScheme() == null || u.getHost() == null || u.getPath() != null && !u.getPath().isEmpty()
          || u.getQuery() != null || u.getUserInfo() != null) {
        return "";
      }
      int port = u.getPort();
      String scheme = u.getScheme().toLowerCase(Locale.ROOT);
      boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443);
      return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}

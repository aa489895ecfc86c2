package org.interlude.browser;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.microsoft.playwright.Page;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * axe-core (the copy the web client's npm install brings) run inside the page. It is evaluated
 * through the DevTools protocol rather than added as a script tag: the page's CSP rightly
 * refuses an inline script, and the check must run against the page exactly as served.
 */
public final class Axe {
  private static final Path SCRIPT = Path.of("..", "web-client", "node_modules", "axe-core", "axe.min.js");

  private Axe() {}

  /** Serious and critical violations (WCAG 2.0/2.1 A and AA rules plus best practice), one line each. */
  public static List<String> seriousViolations(Page page) {
    if (!Files.isRegularFile(SCRIPT)) {
      throw new IllegalStateException("axe-core not found at " + SCRIPT.toAbsolutePath()
          + ": build the web client first (mvn package runs npm install)");
    }
    if (!(Boolean) page.evaluate("() => typeof window.axe === 'object'")) {
      try {
        page.evaluate(Files.readString(SCRIPT));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    Object raw = page.evaluate("async () => JSON.stringify((await axe.run(document, {"
        + " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},"
        + " resultTypes: ['violations'] })).violations)");
    JsonArray violations = new Gson().fromJson((String) raw, JsonArray.class);
    List<String> out = new ArrayList<>();
    for (JsonElement e : violations) {
      JsonObject v = e.getAsJsonObject();
      String impact = v.get("impact").isJsonNull() ? "" : v.get("impact").getAsString();
      if (!impact.equals("serious") && !impact.equals("critical")) {
        continue;
      }
      List<String> targets = new ArrayList<>();
      for (JsonElement n : v.getAsJsonArray("nodes")) {
        targets.add(n.getAsJsonObject().get("target").toString());
      }
      out.add(impact + " " + v.get("id").getAsString() + ": " + v.get("help").getAsString() + " at " + targets);
    }
    return out;
  }
}

package org.interlude.browser;

import com.microsoft.playwright.Page;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects what must never happen on a page: a Content-Security-Policy violation (an inline
 * style or script slipped in) and an uncaught script error. Tests assert the list is empty.
 */
public final class PageProblems {
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

  public static PageProblems watch(Page page) {
    PageProblems p = new PageProblems();
    page.onConsoleMessage(m -> {
      if (m.text().contains("Content Security Policy")) {
        p.problems.add("CSP: " + m.text());
      }
    });
    page.onPageError(e -> p.problems.add("uncaught: " + e));
    return p;
  }

  public List<String> list() {
    synchronized (problems) {
      return List.copyOf(problems);
    }
  }
}

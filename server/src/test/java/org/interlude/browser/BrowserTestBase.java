package org.interlude.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Playwright;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One demo node and one headless Chromium shared by all tests of a browser test class, started
 * before the first test and stopped after the last.
 */
abstract class BrowserTestBase {
  static DemoNode node;
  static Playwright playwright;
  static Browser browser;

  @BeforeAll
  static void start() {
    node = DemoNode.start();
    playwright = Browsers.playwright();
    browser = Browsers.launch(playwright);
  }

  @AfterAll
  static void stop() {
    if (playwright != null) {
      playwright.close();
    }
    if (node != null) {
      node.close();
    }
  }
}

package org.interlude.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * Headless Debian Chromium driven by Playwright for Java. Playwright never downloads a browser
 * here (the machine has no internet): it drives the system's chromium ({@code CHROMIUM_PATH} or
 * {@code /usr/bin/chromium}), and every launch gets a fresh temporary profile.
 */
public final class Browsers {
  private static final List<String> ARGS = List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync");

  private Browsers() {}

  public static Playwright playwright() {
    return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
  }

  public static Browser launch(Playwright playwright) {
    Path chromium = Paths.get(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
    if (!Files.isExecutable(chromium)) {
      throw new IllegalStateException("Chromium not found at " + chromium
          + ": browser tests need Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH");
    }
    return playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(chromium).setHeadless(true).setArgs(ARGS));
  }

  /** A fresh, isolated browser profile (own cookies and storage) as a person on a laptop. */
  public static BrowserContext context(Browser browser) {
    return context(browser, 1280, 900);
  }

  public static BrowserContext context(Browser browser, int width, int height) {
    return browser.newContext(new Browser.NewContextOptions()
        .setIgnoreHTTPSErrors(true)
        .setViewportSize(width, height)
        .setLocale("en-US")
        .setTimezoneId("America/New_York"));
  }
}

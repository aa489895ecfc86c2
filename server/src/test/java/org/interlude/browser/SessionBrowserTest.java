package org.interlude.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.interlude.crypto.Totp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The session's edges: a warning before the idle sign-out (clients idle out after the
 * shortest allowed minute here, so the warning comes 30 s in), and a session ended elsewhere
 * bringing the page back to sign-in with the reason.
 */
class SessionBrowserTest {
  static DemoNode node;
  static Playwright playwright;
  static Browser browser;

  @BeforeAll
  static void start() {
    node = DemoNode.start(Map.of("INTERLUDE_IDENTITY_CLIENT_IDLE_TIMEOUT", "1m"));
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

  @Test
  void idleWarningLetsTheClientStaySignedIn() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = Ui.signIn(context, node.baseUrl(), "client");
      Ui.awaitConnected(page);
      Locator dialog = page.getByRole(AriaRole.ALERTDIALOG, new Page.GetByRoleOptions().setName("Are you still there?"));
      assertThat(dialog).isVisible(new com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions().setTimeout(45_000));
      assertThat(Ui.button(dialog, "Stay signed in")).isFocused();
      assertEquals(List.of(), Axe.seriousViolations(page), "idle warning: serious or critical accessibility violations");
      Ui.button(dialog, "Stay signed in").click();
      assertThat(dialog).isHidden();
      // The session was renewed on the server: signed-in calls still work and the socket stays.
      Ui.send(page, "Still here.");
      assertThat(Ui.message(page, "Still here.")).hasAttribute("data-state", "sent");
      Ui.awaitConnected(page);
    }
  }

  @Test
  void staffEnrolAnAuthenticatorFirstWhenTheClinicRequiresIt() {
    node.sql("UPDATE clinic SET require_totp = true");
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = context.newPage();
      page.navigate(node.baseUrl() + "/");
      page.getByLabel("Username").fill("therapist");
      page.getByLabel("Password").fill(DemoNode.PASSWORD);
      Ui.button(page, "Sign in").click();
      assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Set up your authenticator"))).isVisible();
      assertThat(page.getByRole(AriaRole.IMG, new Page.GetByRoleOptions().setName("QR code to add Interlude to your authenticator app")))
          .isVisible();
      String secret = page.locator("code.enrol-key").getAttribute("data-secret");
      assertEquals(List.of(), Axe.seriousViolations(page), "enrolment: serious or critical accessibility violations");
      page.getByLabel("Authenticator code").fill("000000".equals(Totp.code(secret, Instant.now())) ? "111111" : "000000");
      Ui.button(page, "Confirm").click();
      assertThat(page.getByRole(AriaRole.ALERT)).containsText("not correct");
      page.getByLabel("Authenticator code").fill(Totp.code(secret, Instant.now()));
      Ui.button(page, "Confirm").click();
      assertThat(Ui.clients(page)).isVisible();
      Ui.awaitConnected(page);
    } finally {
      node.sql("UPDATE clinic SET require_totp = false");
    }
  }

  @Test
  void signingOutInAnotherTabReturnsThisOneToSignInWithTheReason() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page first = Ui.signIn(context, node.baseUrl(), "client2");
      Ui.awaitConnected(first);
      // Same browser profile, same session cookie: a second tab of the same session.
      Page second = context.newPage();
      second.navigate(node.baseUrl() + "/");
      Ui.awaitConnected(second);
      Ui.button(second, "Sign out").click();
      assertThat(second.getByText("You have signed out.")).isVisible();
      assertThat(first.getByText("You signed out in another tab or window.")).isVisible();
      assertThat(first.getByLabel("Username")).isVisible();
    }
  }
}

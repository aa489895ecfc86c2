package org.interlude.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loop back to the client: "I need help now" reaches the on-call console within 2 s
 * (announced, with a tone and a notification that names no one), Acknowledge tells the
 * client who has seen it, and Resolve needs a disposition and a note.
 */
class EscalationBrowserTest extends BrowserTestBase {
  @Test
  void helpButtonReachesOncallAndTheClientSeesWhoAcknowledged() {
    try (BrowserContext clientBrowser = Browsers.context(browser); BrowserContext oncallBrowser = Browsers.context(browser)) {
      // Record desktop notifications instead of showing them (an init script is not subject to the page's CSP).
      oncallBrowser.grantPermissions(List.of("notifications"), new BrowserContext.GrantPermissionsOptions().setOrigin(node.baseUrl()));
      oncallBrowser.addInitScript("window.__notifications = [];"
          + "window.Notification = class { static permission = 'granted';"
          + " static requestPermission() { return Promise.resolve('granted'); }"
          + " constructor(title, options) { window.__notifications.push({title, body: options && options.body}); } };");
      Page oncall = Ui.signIn(oncallBrowser, node.baseUrl(), "oncall");
      PageProblems oncallProblems = PageProblems.watch(oncall);
      Ui.awaitConnected(oncall);
      Page client = Ui.signIn(clientBrowser, node.baseUrl(), "client");
      PageProblems clientProblems = PageProblems.watch(client);
      Ui.awaitConnected(client);

      Ui.button(client, "I need help now").click();
      Locator alerts = oncall.getByRole(AriaRole.LIST, new Page.GetByRoleOptions().setName("Open alerts"));
      Locator alert = alerts.getByRole(AriaRole.LISTITEM).filter(new Locator.FilterOptions().setHasText("Alex Morgan"));
      assertThat(alert).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(2_000));
      assertThat(alert).containsText("CRITICAL");
      assertThat(alert.locator("time")).hasText("just now");
      assertThat(oncall.locator("[aria-live=assertive]")).containsText("New CRITICAL alert");

      Locator clientAlert = client.getByRole(AriaRole.ALERT).filter(new Locator.FilterOptions().setHasText("988"));
      assertThat(clientAlert).containsText("The on-call clinician has been notified");

      Object notifications = oncall.evaluate("() => JSON.stringify(window.__notifications)");
      assertEquals("[{\"title\":\"Interlude\",\"body\":\"New CRITICAL alert\"}]", notifications);
      assertFalse(String.valueOf(notifications).contains("Alex"), "a notification never names the client");

      Ui.button(alert, "Acknowledge").click();
      assertThat(alert).containsText("Acknowledged by Casey Kim");
      assertThat(clientAlert).containsText("Casey Kim has seen your message");

      Ui.button(alert, "Resolve").click();
      Locator dialog = oncall.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName("Resolve alert for Alex Morgan"));
      assertThat(dialog).isVisible();
      Ui.button(dialog, "Resolve alert").click();
      assertThat(dialog.getByRole(AriaRole.ALERT)).hasText("Choose a disposition.");
      dialog.getByLabel("Reached the client").check();
      dialog.getByLabel("Note").fill("Spoke by phone; safe at home with partner; follow-up tomorrow 10:00.");
      assertEquals(List.of(), Axe.seriousViolations(oncall), "resolve dialog: serious or critical accessibility violations");
      Ui.button(dialog, "Resolve alert").click();
      assertThat(dialog).isHidden();
      assertThat(alert).hasCount(0);

      assertEquals(List.of(), oncallProblems.list());
      assertEquals(List.of(), clientProblems.list());
    }
  }
}

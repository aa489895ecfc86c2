package org.interlude.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * axe-core finds no serious or critical WCAG 2.1 A/AA violation on any view (the therapist's
 * check-ins list, plan editor and reset confirmation included), the client and therapist views
 * fit a 360 px wide phone without sideways scrolling, and both can be used with the keyboard alone.
 */
class AccessibilityBrowserTest extends BrowserTestBase {
  private static void assertAccessible(Page page, String view) {
    List<String> violations = Axe.seriousViolations(page);
    assertEquals(List.of(), violations, view + ": serious or critical accessibility violations");
  }

  /** The named buttons (in scope) lie within a 360 px wide viewport, and nothing scrolls sideways. */
  private static void assertFits360(Page page, Locator scope, List<String> buttons) {
    for (String name : buttons) {
      var box = Ui.button(scope, name).boundingBox();
      assertTrue(box.x >= 0 && box.x + box.width <= 360, name + " lies within the 360 px width: " + box.x + "+" + box.width);
    }
    Number scrollWidth = (Number) page.evaluate("() => document.documentElement.scrollWidth");
    Number viewport = (Number) page.evaluate("() => window.innerWidth");
    assertTrue(scrollWidth.intValue() <= viewport.intValue(),
        "no horizontal scroll at 360 px: content is " + scrollWidth + " px wide");
  }

  @Test
  void signInPage() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = context.newPage();
      PageProblems problems = PageProblems.watch(page);
      page.navigate(node.baseUrl() + "/");
      assertThat(Ui.button(page, "Sign in")).isVisible();
      assertAccessible(page, "sign-in");
      // A wrong password is reported in words, and the page stays accessible with the error shown.
      page.getByLabel("Username").fill("client");
      page.getByLabel("Password").fill("not the password");
      Ui.button(page, "Sign in").click();
      assertThat(page.getByRole(AriaRole.ALERT)).containsText("not correct");
      assertAccessible(page, "sign-in with error");
      assertEquals(List.of(), problems.list());
    }
  }

  @Test
  void clientView() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = Ui.signIn(context, node.baseUrl(), "client");
      PageProblems problems = PageProblems.watch(page);
      Ui.awaitConnected(page);
      Ui.send(page, "A message so the conversation is not empty.");
      assertThat(Ui.message(page, "A message so the conversation is not empty.")).hasAttribute("data-state", "sent");
      assertAccessible(page, "client");
      Ui.button(page, "I need help now").click();
      assertThat(page.getByRole(AriaRole.ALERT).filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText("988")))
          .isVisible();
      assertAccessible(page, "client with crisis information");
      assertEquals(List.of(), problems.list());
    }
  }

  @Test
  void therapistView() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = Ui.signIn(context, node.baseUrl(), "therapist");
      PageProblems problems = PageProblems.watch(page);
      Ui.awaitConnected(page);
      assertAccessible(page, "therapist, no client chosen");
      Ui.openClient(page, "Alex Morgan");
      assertThat(Ui.conversation(page)).isVisible();
      Ui.button(page, "Add dosing session").click();
      assertThat(page.getByLabel("Date and time")).isFocused();
      assertAccessible(page, "therapist with a client and the dosing form");
      // The check-ins list (the demo history has answered and missed ones) and the plan editor.
      Locator checkins = page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Check-ins").setExact(true));
      assertThat(checkins.getByRole(AriaRole.LISTITEM).first()).isVisible();
      checkins.getByLabel("Missed", new Locator.GetByLabelOptions().setExact(true)).check();
      assertThat(checkins.getByRole(AriaRole.LISTITEM).first()).containsText("Missed");
      Locator plan = page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Check-in plan"));
      assertThat(plan).containsText("Default integration plan");
      assertAccessible(page, "therapist with the check-ins list and the plan");
      Ui.button(plan, "Edit check-in plan").click();
      assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Edit check-in plan"))).isFocused();
      Ui.button(plan, "Change step 1").click();
      Ui.button(plan, "Add a step").click();
      assertAccessible(page, "therapist with the plan editor open");
      assertEquals(List.of(), problems.list());
    }
  }

  @Test
  void aTherapistCanChangeAPlanWithTheKeyboardAlone() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = Ui.signIn(context, node.baseUrl(), "therapist");
      Ui.awaitConnected(page);
      Ui.openClient(page, "Jordan Lee");
      Locator plan = page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Check-in plan"));
      Ui.button(plan, "Edit check-in plan").focus();
      page.keyboard().press("Enter");
      assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Edit check-in plan"))).isFocused();
      page.keyboard().press("Tab");
      assertThat(page.getByLabel("No quiet hours")).isFocused();
      page.keyboard().press("Space");
      assertThat(page.getByLabel("No quiet hours")).isChecked();
      // On through the steps (each a Change and a Remove button) to the Save button.
      for (int i = 0; i < 40 && !"Save check-in plan".equals(page.evaluate("() => document.activeElement.textContent")); i++) {
        page.keyboard().press("Tab");
      }
      assertThat(Ui.button(plan, "Save check-in plan")).isFocused();
      page.keyboard().press("Enter");
      assertThat(plan.getByRole(AriaRole.STATUS)).containsText("Check-in plan saved");
      assertThat(plan).containsText("No quiet hours");
      assertThat(Ui.button(plan, "Edit check-in plan")).isFocused();
      // The adjusted plan can be reset: the confirmation opens on its safe choice, keeping the plan.
      page.keyboard().press("Tab");
      assertThat(Ui.button(plan, "Reset to default plan")).isFocused();
      page.keyboard().press("Enter");
      Locator confirm = page.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName("Reset to the default plan?"));
      assertThat(Ui.button(confirm, "Keep the adjusted plan")).isFocused();
      assertAccessible(page, "therapist with the reset confirmation");
      page.keyboard().press("Tab");
      assertThat(Ui.button(confirm, "Reset the plan")).isFocused();
      page.keyboard().press("Enter");
      assertThat(plan.getByRole(AriaRole.STATUS)).containsText("Check-in plan reset");
      assertThat(plan).containsText("Default integration plan");
      assertThat(Ui.button(plan, "Edit check-in plan")).isFocused();
    }
  }

  @Test
  void therapistViewFitsA360PixelPhone() {
    try (BrowserContext context = Browsers.context(browser, 360, 740)) {
      Page page = Ui.signIn(context, node.baseUrl(), "therapist");
      Ui.awaitConnected(page);
      Ui.openClient(page, "Alex Morgan");
      Locator plan = page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Check-in plan"));
      Ui.button(plan, "Edit check-in plan").click();
      Ui.button(plan, "Change step 2").click();
      assertThat(page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Check-ins").setExact(true))
          .getByRole(AriaRole.LISTITEM).first()).isVisible();
      assertFits360(page, plan, List.of("Change step 2", "Save check-in plan", "Cancel"));
      assertAccessible(page, "therapist at 360 px with the plan editor");
    }
  }

  @Test
  void oncallView() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = Ui.signIn(context, node.baseUrl(), "oncall");
      PageProblems problems = PageProblems.watch(page);
      Ui.awaitConnected(page);
      assertThat(page.getByRole(AriaRole.LIST, new Page.GetByRoleOptions().setName("Open alerts"))).isAttached();
      assertAccessible(page, "on-call");
      assertEquals(List.of(), problems.list());
    }
  }

  @Test
  void aClientCanSignInAskForHelpAndWriteWithTheKeyboardAlone() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = context.newPage();
      page.navigate(node.baseUrl() + "/");
      assertThat(page.getByLabel("Username")).isFocused();
      page.keyboard().type("client2");
      page.keyboard().press("Tab");
      page.keyboard().type(DemoNode.PASSWORD);
      page.keyboard().press("Enter");
      Ui.awaitConnected(page);
      assertThat(Ui.conversation(page)).isVisible();
      // Tab through the page in order: the help button comes before the conversation and the message box.
      List<String> visited = new java.util.ArrayList<>();
      for (int i = 0; i < 30 && !"Message".equals(visited.isEmpty() ? null : visited.get(visited.size() - 1)); i++) {
        page.keyboard().press("Tab");
        visited.add((String) page.evaluate("() => { const e = document.activeElement;"
            + " return e.labels && e.labels.length ? e.labels[0].textContent : (e.getAttribute('aria-label') || e.textContent.trim()); }"));
      }
      assertTrue(visited.contains("I need help now"), "help button reachable by Tab: " + visited);
      assertTrue(visited.indexOf("I need help now") < visited.indexOf("Conversation"), "help comes first: " + visited);
      assertEquals("Message", visited.get(visited.size() - 1), "message box reachable by Tab: " + visited);
      page.keyboard().type("Sent with the keyboard only.");
      page.keyboard().press("Enter");
      assertThat(Ui.message(page, "Sent with the keyboard only.")).hasAttribute("data-state", "sent");
    }
  }

  @Test
  void clientViewFitsA360PixelPhone() {
    try (BrowserContext context = Browsers.context(browser, 360, 740)) {
      Page page = Ui.signIn(context, node.baseUrl(), "client2");
      Ui.awaitConnected(page);
      // A long unbroken word is the usual culprit for sideways scrolling.
      String long_ = "Thisisaverylongwordwithoutanyspacesthatmustwrapinsidethemessagebubble" + "x".repeat(60);
      Ui.send(page, long_);
      assertThat(Ui.message(page, long_)).hasAttribute("data-state", "sent");
      assertFits360(page, page.locator("body"), List.of("I need help now", "Send", "Sign out"));
      assertAccessible(page, "client at 360 px");
    }
  }
}

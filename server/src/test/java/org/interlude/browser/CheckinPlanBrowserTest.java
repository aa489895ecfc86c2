package org.interlude.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The therapist reads and adjusts a client's check-in plan, resets it to the default, and reviews
 * the client's check-ins with the missed ones. Nothing here depends on the hour the suite runs at: the plan is only
 * read and written (no prompt has to be due), and the demo's missed safety pulse (five days after
 * Alex's first dose, closed four days ago) is in the past at any time of day.
 */
class CheckinPlanBrowserTest extends BrowserTestBase {
  private static final String DEFAULT_D1 =
      "1 day after each dose, 10:00 — Post-dose check, Safety pulse · reminder after 4 h · expires after 24 h · routine";
  private static final String CHANGED_D1 =
      "1 day after each dose, 11:30 — Post-dose check, Safety pulse · reminder after 2 h · expires after 24 h · routine";

  private static final Locator.GetByLabelOptions EXACT = new Locator.GetByLabelOptions().setExact(true);

  private static Locator region(Page page, String name) {
    return page.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  private static Locator editor(Page page) {
    return page.getByRole(AriaRole.FORM, new Page.GetByRoleOptions().setName("Edit check-in plan"));
  }

  /** Step n of the editor, its details opened. */
  private static Locator openStep(Page page, int n) {
    Locator step = editor(page).getByRole(AriaRole.GROUP, new Locator.GetByRoleOptions().setName("Step " + n).setExact(true));
    Ui.button(step, "Change step " + n).click();
    return step;
  }

  @Test
  void theTherapistTurnsQuietHoursOffAndChangesAStepAndTheChangeIsKeptUntilResetToTheDefault() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = Ui.signIn(context, node.baseUrl(), "therapist");
      PageProblems problems = PageProblems.watch(page);
      Ui.awaitConnected(page);
      Ui.openClient(page, "Jordan Lee");
      Locator plan = region(page, "Check-in plan");
      assertThat(plan).containsText("Default integration plan");
      assertThat(plan).containsText("Quiet hours 22:00–08:00");
      assertThat(plan).containsText(
          "2 days before each dose, 10:00 — PHQ-9, GAD-7, WHO-5 · reminder after 24 h · expires after 48 h · routine");
      assertThat(plan).containsText("3 h after dose start — Post-dose check · reminder after 1 h · expires after 12 h"
          + " · crisis path (never delayed by quiet hours)");
      assertThat(plan).containsText(DEFAULT_D1);

      Ui.button(plan, "Edit check-in plan").click();
      assertThat(editor(page)).containsText("Changes apply to future check-ins only");
      editor(page).getByLabel("No quiet hours", EXACT).check();
      assertThat(editor(page).getByLabel("Quiet hours start", EXACT)).isHidden();
      Locator step = openStep(page, 3);
      step.getByLabel("Time of day", EXACT).fill("11:30");
      step.getByLabel("Reminder after (hours)", EXACT).fill("2");
      assertThat(step).containsText(CHANGED_D1);
      Ui.button(editor(page), "Save check-in plan").click();
      assertThat(plan.getByRole(AriaRole.STATUS)).hasText("Check-in plan saved. Changes apply to future check-ins only.");
      assertThat(editor(page)).hasCount(0);
      assertThat(Ui.button(plan, "Edit check-in plan")).isFocused();
      assertPlanChanged(plan);

      // Saved on the server, not only on the page.
      page.reload();
      Ui.awaitConnected(page);
      Ui.openClient(page, "Jordan Lee");
      plan = region(page, "Check-in plan");
      assertPlanChanged(plan);

      // A reminder after the check-in has closed is refused by the server, which names the field:
      // the message stands beside the reminder and in the alert summary, and nothing is saved.
      Ui.button(plan, "Edit check-in plan").click();
      step = openStep(page, 3);
      Locator reminder = step.getByLabel("Reminder after (hours)", EXACT);
      reminder.fill("48");
      Ui.button(editor(page), "Save check-in plan").click();
      Locator summary = editor(page).getByRole(AriaRole.ALERT);
      assertThat(summary).containsText("Step 3, Reminder after (hours): The reminder must come before the check-in expires");
      assertThat(summary).isFocused();
      assertThat(reminder).hasAttribute("aria-invalid", "true");
      assertThat(reminder).hasAccessibleDescription(Pattern.compile("The reminder must come before the check-in expires"));
      assertEquals(List.of(), Axe.seriousViolations(page), "plan editor with an error");
      // The summary's entry takes the keyboard to the control.
      summary.getByRole(AriaRole.BUTTON).click();
      assertThat(reminder).isFocused();

      Ui.button(editor(page), "Cancel").click();
      Ui.button(page, "Discard changes").click();
      assertThat(editor(page)).hasCount(0);
      assertPlanChanged(plan);

      // Reset, after a confirmation that says the quiet hours come back too. Keeping the plan first
      // changes nothing.
      Ui.button(plan, "Reset to default plan").click();
      Locator confirm = page.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName("Reset to the default plan?"));
      assertThat(confirm).containsText("with quiet hours 22:00–08:00 (currently none)");
      assertThat(confirm).containsText("check-ins already sent, answered or missed stay as they were");
      assertEquals(List.of(), Axe.seriousViolations(page), "reset confirmation");
      Ui.button(confirm, "Keep the adjusted plan").click();
      assertThat(confirm).hasCount(0);
      assertPlanChanged(plan);
      assertThat(Ui.button(plan, "Reset to default plan")).isFocused();
      Ui.button(plan, "Reset to default plan").click();
      Ui.button(confirm, "Reset the plan").click();
      assertThat(plan.getByRole(AriaRole.STATUS)).hasText(
          "Check-in plan reset to the default integration plan. Changes apply to future check-ins only.");
      assertPlanIsTheDefault(plan);
      assertThat(Ui.button(plan, "Edit check-in plan")).isFocused();
      assertEquals(List.of(), Axe.seriousViolations(page), "plan after the reset");

      page.reload();
      Ui.awaitConnected(page);
      Ui.openClient(page, "Jordan Lee");
      assertPlanIsTheDefault(region(page, "Check-in plan"));
      assertEquals(List.of(), problems.list());
    }
  }

  private static void assertPlanIsTheDefault(Locator plan) {
    assertThat(plan).containsText("Default integration plan");
    assertThat(plan).containsText("Quiet hours 22:00–08:00");
    assertThat(plan).containsText(DEFAULT_D1);
    assertThat(plan).not().containsText(CHANGED_D1);
    assertThat(Ui.button(plan, "Reset to default plan")).isHidden();
  }

  private static void assertPlanChanged(Locator plan) {
    assertThat(plan).containsText("Adjusted for this client");
    assertThat(plan).containsText("No quiet hours");
    assertThat(plan).containsText(CHANGED_D1);
    assertThat(plan).not().containsText(DEFAULT_D1);
  }

  @Test
  void aMissedCheckInOfTheDemoHistoryIsInTheCheckInsList() {
    try (BrowserContext context = Browsers.context(browser)) {
      Page page = Ui.signIn(context, node.baseUrl(), "therapist");
      PageProblems problems = PageProblems.watch(page);
      Ui.awaitConnected(page);
      Ui.openClient(page, "Alex Morgan");
      Locator checkins = region(page, "Check-ins");
      assertThat(checkins.locator(".badge.missed")).hasText(Pattern.compile("^\\d+ missed$"));
      // Answered questionnaires show their scores.
      assertThat(checkins.getByRole(AriaRole.LISTITEM).filter(new Locator.FilterOptions().setHasText("Score")).first())
          .containsText("Answered");

      checkins.getByLabel("Missed", new Locator.GetByLabelOptions().setExact(true)).check();
      Locator items = checkins.getByRole(AriaRole.LISTITEM);
      Locator pulse = items.filter(new Locator.FilterOptions().setHasText("Safety pulse")).first();
      assertThat(pulse).containsText("Missed");
      assertThat(pulse).containsText("Not answered; closed");
      for (String text : items.allTextContents()) {
        assertTrue(text.contains("Missed"), "only missed check-ins under the Missed filter: " + text);
      }
      assertEquals(List.of(), problems.list());
    }
  }
}

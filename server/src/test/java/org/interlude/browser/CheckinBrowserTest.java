package org.interlude.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client answers a PHQ-9 and the therapist's list, "PHQ-9 trend" chart and check-ins update live. The
 * prompt is brought about the way a clinic does it: the therapist records a dosing session for
 * tomorrow night, and the default plan's D−2 questionnaires (due yesterday at 10:00 local, open
 * for 48 h and never past the dose) are open now, whatever the hour the test runs at.
 */
class CheckinBrowserTest extends BrowserTestBase {
  @Test
  void submittedPhq9UpdatesTheTherapistsListAndTrendLive() {
    try (BrowserContext clientBrowser = Browsers.context(browser); BrowserContext therapistBrowser = Browsers.context(browser)) {
      Page therapist = Ui.signIn(therapistBrowser, node.baseUrl(), "therapist");
      Ui.awaitConnected(therapist);
      Ui.openClient(therapist, "Jordan Lee");
      Locator chart = therapist.getByRole(AriaRole.IMG, new Page.GetByRoleOptions().setName("PHQ-9 trend"));
      try {
        // Opening a client loads its plan, check-ins, sessions and three trends at once.
        assertThat(chart).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(30_000));
      } catch (AssertionError e) {
        throw new AssertionError("no PHQ-9 chart; the trends section said: "
            + therapist.locator(".trends").allInnerTexts(), e);
      }

      // Browser contexts run in America/New_York: datetime-local is wall-clock time there. A dose
      // two days ahead would only do at or after 10:00 there (the D−2 step's time of day).
      String tomorrowNight = LocalDate.now(ZoneId.of("America/New_York")).plusDays(1).atTime(23, 0)
          .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm"));
      Ui.button(therapist, "Add dosing session").click();
      therapist.getByLabel("Date and time").fill(tomorrowNight);
      therapist.getByLabel("Route").selectOption("intranasal");
      Ui.button(therapist, "Save dosing session").click();
      assertThat(therapist.getByRole(AriaRole.STATUS).filter(new Locator.FilterOptions().setHasText("saved"))).isVisible();

      // Jordan has no history in the demo clinic, so this PHQ-9 is the first and only one.
      Page client = Ui.signIn(clientBrowser, node.baseUrl(), "client2");
      PageProblems problems = PageProblems.watch(client);
      Ui.awaitConnected(client);
      Locator form = client.getByRole(AriaRole.FORM, new Page.GetByRoleOptions().setName("PHQ-9"));
      assertThat(form).isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(30_000));
      Locator groups = form.getByRole(AriaRole.RADIOGROUP);
      assertEquals(10, groups.count(), "nine scored items and the difficulty follow-up");
      assertEquals(List.of(), Axe.seriousViolations(client), "check-in form: serious or critical accessibility violations");

      // Submitting with nothing chosen points at the first unanswered question.
      Ui.button(form, "Submit check-in").click();
      assertThat(form.getByText("Some questions still need an answer.")).isVisible();
      // Answers 1,2,1,2,1,1,2,1,0 = 11 (moderate); item 9 is 0 so no escalation is involved.
      int[] answers = {1, 2, 1, 2, 1, 1, 2, 1, 0};
      String[] labels = {"Not at all", "Several days", "More than half the days", "Nearly every day"};
      for (int i = 0; i < 9; i++) {
        groups.nth(i).getByLabel(labels[answers[i]], new Locator.GetByLabelOptions().setExact(true)).check();
      }
      groups.nth(9).getByRole(AriaRole.RADIO).first().check();
      Ui.button(form, "Submit check-in").click();
      assertThat(client.getByText("Thank you. Your PHQ-9 answers were sent to your care team.")).isVisible();

      Locator jordan = Ui.clients(therapist).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Jordan Lee"));
      assertThat(jordan).containsText("PHQ-9 11 (Moderate)");
      assertThat(therapist.locator(".trend-summary").first()).containsText("Latest 11, Moderate");
      assertThat(therapist.locator(".trend-summary").first()).containsText("1 dosing session marked");
      // The therapist's check-ins list follows too: the PHQ-9 is answered, with its score.
      Locator checkins = therapist.getByRole(AriaRole.REGION, new Page.GetByRoleOptions().setName("Check-ins").setExact(true));
      // (Found by its score: a D+7 PHQ-9 may also be listed, scheduled, depending on the hour.)
      assertThat(checkins.getByRole(AriaRole.LISTITEM).filter(new Locator.FilterOptions().setHasText("Score 11 (Moderate)")))
          .containsText("PHQ-9");
      assertEquals(List.of(), problems.list());
    }
  }
}

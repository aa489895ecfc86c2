package org.interlude.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The server goes away mid-conversation and a new node starts on the same port and database:
 * everything the client typed meanwhile is shown as waiting, then sent exactly once, in order.
 */
class ReconnectBrowserTest extends BrowserTestBase {
  @Test
  void messagesTypedWhileTheServerIsDownAreSentOnceInOrderWhenItReturns() {
    try (BrowserContext clientBrowser = Browsers.context(browser); BrowserContext therapistBrowser = Browsers.context(browser)) {
      Page client = Ui.signIn(clientBrowser, node.baseUrl(), "client");
      PageProblems problems = PageProblems.watch(client);
      Ui.awaitConnected(client);
      String before = "Before the restart.";
      Ui.send(client, before);
      assertThat(Ui.message(client, before)).hasAttribute("data-state", "sent");

      node.down();
      assertThat(Ui.status(client)).hasText("Reconnecting…");
      List<String> typed = List.of("Typed while the server was away, one.", "Two.", "And three.");
      for (String t : typed) {
        Ui.send(client, t);
        assertThat(Ui.message(client, t)).hasAttribute("data-state", "pending");
        assertThat(Ui.message(client, t).locator(".status")).hasText("Waiting to send");
      }

      node.up();
      Ui.awaitConnected(client);
      for (String t : typed) {
        assertThat(Ui.message(client, t)).hasAttribute("data-state", "sent");
      }
      List<String> all = List.of(before, typed.get(0), typed.get(1), typed.get(2));
      Ui.assertInOrderOnce(client, all);

      // The server's record agrees: the therapist and a fresh load see each message once, in order.
      Page therapist = Ui.signIn(therapistBrowser, node.baseUrl(), "therapist");
      Ui.openClient(therapist, "Alex Morgan");
      assertThat(Ui.message(therapist, typed.get(2))).isVisible();
      Ui.assertInOrderOnce(therapist, all);
      client.reload();
      Ui.awaitConnected(client);
      assertThat(Ui.message(client, typed.get(2))).isVisible();
      Ui.assertInOrderOnce(client, all);
      assertEquals(List.of(), problems.list());
    }
  }
}

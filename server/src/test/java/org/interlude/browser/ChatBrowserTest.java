package org.interlude.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.WebSocketRoute;
import com.microsoft.playwright.options.AriaRole;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Chat between a client and their therapist, in two browsers, through one real node. */
class ChatBrowserTest extends BrowserTestBase {
  @Test
  void clientAndTherapistChatBothWaysAndHistorySurvivesReload() {
    try (BrowserContext clientBrowser = Browsers.context(browser); BrowserContext therapistBrowser = Browsers.context(browser)) {
      Page client = Ui.signIn(clientBrowser, node.baseUrl(), "client");
      Page therapist = Ui.signIn(therapistBrowser, node.baseUrl(), "therapist");
      PageProblems clientProblems = PageProblems.watch(client);
      PageProblems therapistProblems = PageProblems.watch(therapist);
      Ui.awaitConnected(client);
      Ui.openClient(therapist, "Alex Morgan");
      Ui.awaitConnected(therapist);

      String first = "I had a hard night after the session.";
      client.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Message").setExact(true)).pressSequentially(first);
      assertThat(therapist.getByText("Alex Morgan is typing…")).isVisible();
      Ui.button(client, "Send").click();
      assertThat(Ui.message(therapist, first)).isVisible();
      // The therapist has it on screen, so the client is told it was seen.
      assertThat(Ui.message(client, first).locator(".status")).hasText("Seen");

      String reply = "Thank you for telling me. Shall we talk at 3?";
      Ui.send(therapist, reply);
      assertThat(Ui.message(client, reply)).isVisible();
      String third = "Yes, 3 works.";
      Ui.send(client, third);
      assertThat(Ui.message(therapist, third)).isVisible();

      List<String> expected = List.of(first, reply, third);
      assertThat(Ui.message(client, third)).hasAttribute("data-state", "sent");
      Ui.assertInOrderOnce(client, expected);
      Ui.assertInOrderOnce(therapist, expected);

      client.reload();
      Ui.awaitConnected(client);
      assertThat(Ui.message(client, third)).isVisible();
      Ui.assertInOrderOnce(client, expected);
      therapist.reload();
      Ui.openClient(therapist, "Alex Morgan");
      assertThat(Ui.message(therapist, third)).isVisible();
      Ui.assertInOrderOnce(therapist, expected);

      assertEquals(List.of(), clientProblems.list());
      assertEquals(List.of(), therapistProblems.list());
    }
  }

  @Test
  void therapistSeesUnreadCountsUntilTheConversationIsOpened() {
    try (BrowserContext clientBrowser = Browsers.context(browser); BrowserContext therapistBrowser = Browsers.context(browser)) {
      Page therapist = Ui.signIn(therapistBrowser, node.baseUrl(), "therapist");
      Ui.awaitConnected(therapist);
      Page jordan = Ui.signIn(clientBrowser, node.baseUrl(), "client2");
      Ui.awaitConnected(jordan);
      Ui.send(jordan, "Checking in before tomorrow.");
      Ui.send(jordan, "Is the time still 10am?");
      assertThat(Ui.message(jordan, "Is the time still 10am?")).hasAttribute("data-state", "sent");

      Locator jordanItem = Ui.clients(therapist).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Jordan Lee"));
      assertThat(jordanItem).containsText("2 unread");
      Ui.openClient(therapist, "Jordan Lee");
      assertThat(Ui.message(therapist, "Is the time still 10am?")).isVisible();
      assertThat(jordanItem).not().containsText("unread");
    }
  }

  @Test
  void messagesWrittenOfflineWaitAndAreSentOnceWhenTheConnectionReturns() {
    try (BrowserContext clientBrowser = Browsers.context(browser)) {
      Page client = Ui.signIn(clientBrowser, node.baseUrl(), "client");
      Ui.awaitConnected(client);
      clientBrowser.setOffline(true);
      assertThat(Ui.status(client)).hasText("Offline");
      String text = "Writing this on the train with no signal.";
      Ui.send(client, text);
      assertThat(Ui.message(client, text)).hasAttribute("data-state", "pending");
      assertThat(Ui.message(client, text).locator(".status")).hasText("Waiting to send");
      // Signing out now would delete it from this device: the app asks first.
      Ui.button(client, "Sign out").click();
      Locator confirm = client.getByRole(AriaRole.DIALOG, new Page.GetByRoleOptions().setName("Sign out with unsent messages?"));
      assertThat(confirm).containsText("1 message has not been sent yet");
      Ui.button(confirm, "Stay signed in").click();
      assertThat(confirm).isHidden();

      clientBrowser.setOffline(false);
      Ui.awaitConnected(client);
      assertThat(Ui.message(client, text)).hasAttribute("data-state", "sent");
      assertThat(Ui.message(client, text)).hasCount(1);
    }
  }

  @Test
  void messagesWaitingAtAReloadAreKeptAndSentOnce() {
    try (BrowserContext clientBrowser = Browsers.context(browser)) {
      // The socket goes through to the server only while `pass` is set; otherwise it opens and
      // stays silent (no hello), as a connection stuck behind a broken proxy would.
      AtomicBoolean pass = new AtomicBoolean(true);
      AtomicReference<WebSocketRoute> current = new AtomicReference<>();
      clientBrowser.routeWebSocket("**/ws", ws -> {
        current.set(ws);
        if (pass.get()) {
          ws.connectToServer();
        }
      });
      Page client = Ui.signIn(clientBrowser, node.baseUrl(), "client");
      Ui.awaitConnected(client);
      pass.set(false);
      current.get().close();
      assertThat(Ui.status(client)).hasText("Reconnecting…");
      String text = "Please don't lose this one.";
      Ui.send(client, text);
      assertThat(Ui.message(client, text)).hasAttribute("data-state", "pending");

      pass.set(true);
      client.reload();
      Ui.awaitConnected(client);
      assertThat(Ui.message(client, text)).hasAttribute("data-state", "sent");
      client.reload();
      Ui.awaitConnected(client);
      assertThat(Ui.message(client, text)).hasCount(1);
      assertEquals("null", String.valueOf(client.evaluate("() => sessionStorage.length ? Object.keys(sessionStorage).join() : null")),
          "nothing is left queued once sent");
    }
  }
}

package org.interlude.browser;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import java.util.List;

/** What a person does in the web client, by accessible role and name, as assistive technology sees it. */
public final class Ui {
  static {
    // Live updates cross a WebSocket and a database commit; allow for a loaded 2-core machine.
    PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
  }

  private Ui() {}

  public static Page signIn(BrowserContext context, String baseUrl, String username) {
    Page page = context.newPage();
    page.setDefaultTimeout(15_000);
    page.navigate(baseUrl + "/");
    signInOn(page, username);
    return page;
  }

  public static void signInOn(Page page, String username) {
    page.getByLabel("Username").fill(username);
    page.getByLabel("Password").fill(DemoNode.PASSWORD);
    button(page, "Sign in").click();
    assertThat(button(page, "Sign out")).isVisible();
  }

  public static Locator button(Page page, String name) {
    return page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
  }

  public static Locator button(Locator scope, String name) {
    return scope.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(name).setExact(true));
  }

  public static Locator conversation(Page page) {
    return page.getByRole(AriaRole.LOG, new Page.GetByRoleOptions().setName("Conversation"));
  }

  public static Locator status(Page page) {
    return page.locator(".conn-state[role=status]");
  }

  public static void awaitConnected(Page page) {
    assertThat(status(page)).hasText("Connected");
  }

  public static void send(Page page, String text) {
    page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Message").setExact(true)).fill(text);
    button(page, "Send").click();
  }

  /** The message bubble holding exactly this text. */
  public static Locator message(Page page, String text) {
    return conversation(page).locator(".msg").filter(new Locator.FilterOptions()
        .setHas(page.locator(".text").getByText(text, new Locator.GetByTextOptions().setExact(true))));
  }

  /** Texts of the messages in the log, top to bottom. */
  public static List<String> messageTexts(Page page) {
    return conversation(page).locator(".msg .text").allTextContents();
  }

  /** The expected texts appear in the log exactly once each, in this order (other messages may sit between). */
  public static void assertInOrderOnce(Page page, List<String> expected) {
    List<String> mine = messageTexts(page).stream().filter(expected::contains).toList();
    org.junit.jupiter.api.Assertions.assertEquals(expected, mine, "messages once each, in order");
  }

  public static Locator clients(Page page) {
    return page.getByRole(AriaRole.LIST, new Page.GetByRoleOptions().setName("Clients"));
  }

  public static void openClient(Page page, String displayName) {
    clients(page).getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(displayName)).click();
    assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName(displayName).setExact(true)))
        .isVisible();
  }
}

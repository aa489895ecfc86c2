package org.interlude.identity;

import java.time.Duration;

/**
 * The outcome of a login attempt. Failures carry a code the client can act on; "invalid
 * credentials" is the same for an unknown user, a wrong password and a disabled account.
 */
public sealed interface LoginResult {
  /** Signed in: set {@code session.token()} as the cookie. */
  record Success(User user, Sessions.Created session, boolean secondFactor) implements LoginResult {}

  /** Wrong username or password (indistinguishable). */
  record InvalidCredentials() implements LoginResult {}

  /** Too many failures: retry after the delay. */
  record Throttled(Duration retryAfter) implements LoginResult {}

  /** Password right; a TOTP code is needed (missing or wrong). */
  record SecondFactorRequired(boolean codeWasWrong) implements LoginResult {}
}

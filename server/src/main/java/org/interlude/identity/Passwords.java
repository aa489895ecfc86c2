package org.interlude.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.Optional;
import org.interlude.crypto.Argon2Params;
import org.interlude.crypto.PasswordHasher;
import org.interlude.crypto.PasswordPolicy;

/**
 * Argon2id hashing and verification, always on a worker thread (each costs tens of milliseconds
 * and ~19 MiB; on an event loop it would stall every connection of that loop), plus the password
 * policy. Password arrays are wiped after use.
 */
public final class Passwords {
  private final Vertx vertx;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;

  public Passwords(Vertx vertx, Argon2Params params, int minLength) {
    this.vertx = vertx;
    this.hasher = new PasswordHasher(params);
    this.policy = new PasswordPolicy(minLength);
  }

  /** Fails with {@link InvalidInput} ({@code weak_password}) when the policy rejects it. */
  public Future<String> hashNew(String password, String... contextWords) {
    Optional<String> problem = policy.check(password.toCharArray(), contextWords);
    if (problem.isPresent()) {
      return Future.failedFuture(new InvalidInput("weak_password", "password", problem.get()));
    }
    return rehash(password);
  }

  /** Verifies against {@code phc}, or spends the same time on a dummy hash when phc is null. */
  public Future<Boolean> verify(String phc, String password) {
    return vertx.executeBlocking(() -> {
      char[] pw = password.toCharArray();
      try {
        if (phc == null) {
          hasher.verifyDummy(pw);
          return false;
        }
        return hasher.verify(phc, pw);
      } finally {
        Arrays.fill(pw, '\0');
      }
    }, false);
  }

  public boolean needsRehash(String phc) {
    return hasher.needsRehash(phc);
  }

  /** A fresh hash with the current parameters, without the policy (for upgrading at login). */
  public Future<String> rehash(String password) {
    return vertx.executeBlocking(() -> {
      char[] pw = password.toCharArray();
      try {
        return hasher.hash(pw);
      } finally {
        Arrays.fill(pw, '\0');
      }
    }, false);
  }
}

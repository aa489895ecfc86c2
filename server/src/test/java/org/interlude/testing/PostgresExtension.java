package org.interlude.testing;

import org.interlude.storage.DatabaseTarget;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one real, embedded PostgreSQL per test JVM (see {@link TestPostgres}) and a
 * fresh, empty database per test class, so test classes are independent and need no installed
 * server. Register it on a class and take the database as a {@link DatabaseTarget} parameter of
 * {@code @BeforeAll}/{@code @Test} methods (or call {@link #database()} on a registered field).
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);
  private DatabaseTarget database;

  @Override
  public void beforeAll(ExtensionContext context) {
    database = context.getStore(NS).getOrComputeIfAbsent(context.getRequiredTestClass(),
        k -> TestPostgres.freshDatabase(), DatabaseTarget.class);
  }

  /** This test class's database (owner credentials). */
  public DatabaseTarget database() {
    if (database == null) {
      throw new IllegalStateException("the extension has not run yet: use it from @BeforeAll or later");
    }
    return database;
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == DatabaseTarget.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return e.getStore(NS).getOrComputeIfAbsent(e.getRequiredTestClass(), k -> TestPostgres.freshDatabase(),
        DatabaseTarget.class);
  }
}

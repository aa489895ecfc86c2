package org.interlude.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Flight#all}: waits for every statement and reports the first failure in sending order. */
class FlightTest {

  @Test
  void reportsTheFirstFailureInSendingOrderNotTheFirstToArrive() {
    Promise<Void> first = Promise.promise();
    Promise<Void> second = Promise.promise();
    Promise<Void> third = Promise.promise();
    Future<Void> all = Flight.all(List.of(first.future(), second.future(), third.future()));
    RuntimeException aborted = new RuntimeException("current transaction is aborted");
    RuntimeException cause = new RuntimeException("duplicate key");
    third.fail(aborted);
    assertFalse(all.isComplete(), "waits for every statement, not just the first failure to arrive");
    second.fail(cause);
    assertFalse(all.isComplete());
    first.complete();
    assertTrue(all.failed());
    assertSame(cause, all.cause());
  }

  @Test
  void succeedsWhenEverythingSucceeded() {
    Promise<String> a = Promise.promise();
    Future<Void> all = Flight.all(a.future(), Future.succeededFuture(1));
    assertFalse(all.isComplete());
    a.complete("x");
    assertTrue(all.succeeded());
    assertEquals(true, Flight.all(List.of()).succeeded());
  }
}

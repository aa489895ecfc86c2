package org.interlude.escalation;

import static org.interlude.escalation.Fixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.interlude.identity.InvalidInput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outbound webhooks against a receiver on loopback: signed over the raw body and a timestamp,
 * one Idempotency-Key per page kept across retries, exponential backoff, persisted across
 * restarts, no PHI in any payload, PagerDuty Events v2 shape, and the secret never returned.
 */
class WebhookTest {
  static final String SECRET = "a-shared-secret-of-at-least-32-characters!";

  Fixture fx;
  Fixture.Node node;
  HttpServer receiver;
  final List<Received> received = new CopyOnWriteArrayList<>();
  final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();
  volatile long answerDelayMs;

  record Received(Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase());
    }

    JsonObject json() {
      return new JsonObject(Buffer.buffer(body));
    }
  }

  @BeforeEach
  void setUp() {
    fx = new Fixture();
    fx.seedDemoPolicy();
    node = fx.nodes.get(0);
    receiver = await(fx.vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      Map<String, String> h = new java.util.HashMap<>();
      req.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
      received.add(new Received(h, b.getBytes()));
      Integer status = answers.poll();
      long delay = answerDelayMs;
      Runnable answer = () -> req.response().setStatusCode(status == null ? 200 : status).end("ok");
      if (delay > 0) {
        fx.vertx.setTimer(delay, t -> answer.run());
      } else {
        answer.run();
      }
    })).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void tearDown() {
    await(receiver.close());
    fx.close();
  }

  private String url() {
    return "http://127.0.0.1:" + receiver.actualPort() + "/page";
  }

  private void configure(Fixture.Node n, String format, String routingKey) {
    await(n.module.webhooks().put(fx.actor(fx.admin), url(), format, SECRET, routingKey));
  }

  private UUID crisis() {
    return await(node.service().trigger(EscalationTimingTest.crisis(fx, fx.alex, "r1"))).incidentId();
  }

  private static boolean verifies(Received r, Instant now) {
    return WebhookSignature.verify(SECRET.getBytes(StandardCharsets.UTF_8), r.header("X-Interlude-Timestamp"),
        r.header("X-Interlude-Signature"), r.body(), now, Duration.ofMinutes(5));
  }

  @Test
  void pagesAreSignedRetriedWithExponentialBackoffUnderOneIdempotencyKeyAndCarryNoPhi() {
    configure(node, "interlude", null);
    answers.addAll(List.of(500, 503));
    UUID id = crisis();
    WebhookDispatcher d = node.module.dispatcher();
    assertEquals(1, await(d.poll()));
    assertEquals(0, await(d.poll()), "not due again yet");
    fx.clock.advance(Duration.ofSeconds(4));
    assertEquals(0, await(d.poll()));
    fx.clock.advance(Duration.ofSeconds(1));
    assertEquals(1, await(d.poll()), "second attempt 5 s after the first");
    fx.clock.advance(Duration.ofSeconds(9));
    assertEquals(0, await(d.poll()));
    fx.clock.advance(Duration.ofSeconds(1));
    assertEquals(1, await(d.poll()), "third attempt 10 s after the second");
    fx.clock.advance(Duration.ofHours(1));
    assertEquals(0, await(d.poll()), "delivered: never sent again");

    assertEquals(3, received.size());
    String key = id + ":0:" + fx.casey;
    for (Received r : received) {
      assertEquals(key, r.header("Idempotency-Key"));
      assertEquals(new String(received.get(0).body(), StandardCharsets.UTF_8), new String(r.body(), StandardCharsets.UTF_8),
          "the same body on every attempt");
    }
    assertEquals(Long.toString(Fixture.START.getEpochSecond()), received.get(0).header("X-Interlude-Timestamp"));
    assertTrue(verifies(received.get(0), Fixture.START));
    assertTrue(verifies(received.get(2), fx.clock.instant().minus(Duration.ofHours(1))));
    assertFalse(verifies(received.get(0), Fixture.START.plus(Duration.ofMinutes(6))), "a replay later is refused");
    Received r0 = received.get(0);
    byte[] tampered = new String(r0.body(), StandardCharsets.UTF_8).replace("CRITICAL", "HIGH").getBytes(StandardCharsets.UTF_8);
    assertFalse(WebhookSignature.verify(SECRET.getBytes(StandardCharsets.UTF_8), r0.header("X-Interlude-Timestamp"),
        r0.header("X-Interlude-Signature"), tampered, Fixture.START, Duration.ofMinutes(5)));
    assertFalse(WebhookSignature.verify("another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8),
        r0.header("X-Interlude-Timestamp"), r0.header("X-Interlude-Signature"), r0.body(), Fixture.START,
        Duration.ofMinutes(5)));

    JsonObject body = r0.json();
    assertEquals("page", body.getString("type"));
    assertEquals(id.toString(), body.getString("incidentId"));
    assertEquals(fx.clinic.toString(), body.getString("clinicId"));
    assertEquals("CRITICAL", body.getString("severity"));
    assertEquals(fx.casey.toString(), body.getString("recipientId"));
    assertEquals("https://interlude.example.org/#/incidents/" + id, body.getString("link"));
    String text = new String(r0.body(), StandardCharsets.UTF_8);
    for (String phi : List.of("Alex", "Morgan", "Crisis button", "crisis", "Casey", fx.alex.toString())) {
      assertFalse(text.contains(phi), "no " + phi + " in " + text);
    }
    assertEquals("delivered", fx.sql("SELECT status FROM webhook_delivery").iterator().next().getString(0));
    assertEquals(3, fx.sql("SELECT attempts FROM webhook_delivery").iterator().next().getInteger(0));
  }

  @Test
  void theBackoffDoublesUpToTenMinutes() {
    assertEquals(List.of(5L, 10L, 20L, 40L, 80L, 160L, 320L, 600L, 600L),
        List.of(1, 2, 3, 4, 5, 6, 7, 8, 9).stream().map(a -> WebhookDispatcher.backoff(a).toSeconds()).toList());
  }

  @Test
  void anAcknowledgementCancelsPagesNotYetSentAndIsAnnounced() {
    configure(node, "interlude", null);
    UUID id = crisis();
    await(node.service().acknowledge(fx.actor(fx.casey), id));
    await(node.module.dispatcher().poll());
    assertEquals(1, received.size(), "the page queued before the acknowledgement is not sent after it");
    assertEquals("acknowledged", received.get(0).json().getString("type"));
    assertEquals(fx.casey.toString(), received.get(0).json().getString("acknowledgedById"));
    assertEquals("cancelled", fx.sql("SELECT status FROM webhook_delivery WHERE event = 'page'").iterator().next().getString(0));
  }

  @Test
  void pagerDutyEventsV2WithTheRoutingKeyAddedOnlyAtSendTime() {
    configure(node, "pagerduty", "R0UTINGKEY0123456789abcdefABCDEF");
    UUID id = crisis();
    await(node.module.dispatcher().poll());
    await(node.service().acknowledge(fx.actor(fx.casey), id));
    await(node.service().resolve(fx.actor(fx.casey), id, "false_alarm", "Pressed by accident; confirmed by phone."));
    await(node.module.dispatcher().poll());
    assertEquals(List.of("trigger", "acknowledge", "resolve"),
        received.stream().map(r -> r.json().getString("event_action")).toList());
    JsonObject trigger = received.get(0).json();
    assertEquals("R0UTINGKEY0123456789abcdefABCDEF", trigger.getString("routing_key"));
    assertEquals("interlude-" + id, trigger.getString("dedup_key"));
    JsonObject payload = trigger.getJsonObject("payload");
    assertEquals("critical", payload.getString("severity"));
    assertEquals("interlude/" + fx.clinic, payload.getString("source"));
    assertEquals("Interlude CRITICAL incident: open the Interlude console", payload.getString("summary"));
    assertTrue(received.stream().allMatch(r -> ("interlude-" + id).equals(r.json().getString("dedup_key"))));
    assertTrue(received.stream().allMatch(r -> verifies(r, Fixture.START)));
    assertEquals(0, fx.count("SELECT count(*) FROM webhook_delivery WHERE body LIKE '%R0UTINGKEY%'"),
        "the routing key is never stored in clear");
    String all = received.stream().map(r -> new String(r.body(), StandardCharsets.UTF_8)).reduce("", String::concat);
    assertFalse(all.contains("accident") || all.contains("Alex"), all);
  }

  @Test
  void retriesSurviveARestartAndADeliveryIsGivenUpAfterMaxAttemptsOnTheTimeline() {
    Fixture.Node first = fx.node("first", Duration.ofSeconds(10), 2);
    configure(first, "interlude", null);
    answers.addAll(List.of(500, 500, 500));
    UUID id = await(first.service().trigger(EscalationTimingTest.crisis(fx, fx.alex, "r1"))).incidentId();
    assertEquals(1, await(first.module.dispatcher().poll()));
    first.close();
    Fixture.Node second = fx.node("second", Duration.ofSeconds(10), 2);
    fx.clock.advance(Duration.ofSeconds(5));
    assertEquals(1, await(second.module.dispatcher().poll()));
    assertEquals(2, received.size());
    assertEquals(received.get(0).header("Idempotency-Key"), received.get(1).header("Idempotency-Key"));
    assertEquals("failed", fx.sql("SELECT status FROM webhook_delivery").iterator().next().getString(0));
    assertTrue(fx.timeline(id).contains("webhook_failed"));
    fx.clock.advance(Duration.ofHours(1));
    assertEquals(0, await(second.module.dispatcher().poll()));
  }

  @Test
  void twoNodesNeverSendTheSameDeliveryWhileOneHoldsItsLease() {
    Fixture.Node other = fx.node();
    configure(node, "interlude", null);
    answerDelayMs = 300;
    crisis();
    List<Future<Integer>> passes = List.of(node.module.dispatcher().poll(), other.module.dispatcher().poll(),
        node.module.dispatcher().poll(), other.module.dispatcher().poll());
    await(Future.all(passes));
    assertEquals(1, passes.stream().mapToInt(Future::result).sum());
    assertEquals(1, received.size());
  }

  @Test
  void aMasterKeyRotationReWrapsIncidentAndWebhookKeysAndBothStillOpen() {
    configure(node, "interlude", null);
    UUID id = crisis();
    await(node.service().addNote(fx.actor(fx.casey), id, "Called the client back."));
    var rotation = new org.interlude.crypto.KeyRotation(fx.vertx, fx.db, fx.dataKeys, fx.ringFile);
    EscalationModule.wrappedKeys().forEach(rotation::register);
    var done = await(rotation.rotate(p -> { }));
    assertEquals(2, done.version());
    assertEquals(2, done.done(), "the incident's key and the endpoint's key");
    assertEquals(0, fx.count("SELECT (SELECT count(*) FROM incident WHERE dk_version <> 2)"
        + " + (SELECT count(*) FROM webhook_endpoint WHERE dk_version <> 2)"));
    JsonObject detail = await(node.service().get(fx.actor(fx.casey), id));
    assertEquals("Called the client back.", detail.getJsonArray("timeline").stream().map(e -> (JsonObject) e)
        .filter(e -> "note".equals(e.getString("kind"))).findFirst().orElseThrow().getString("note"));
    assertEquals(1, await(node.module.dispatcher().poll()));
    assertTrue(verifies(received.get(0), Fixture.START), "the endpoint's secret opens under the new version");
  }

  @Test
  void theSecretIsStoredSealedAndNeverReturned() {
    configure(node, "interlude", null);
    JsonObject got = await(node.module.webhooks().get(fx.actor(fx.admin)));
    assertEquals(url(), got.getString("url"));
    assertTrue(got.getBoolean("hasSecret"));
    assertFalse(got.encode().contains(SECRET));
    byte[] sealed = fx.sql("SELECT secret_sealed FROM webhook_endpoint").iterator().next().getBuffer(0).getBytes();
    assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("shared-secret"));
    assertThrows(InvalidInput.class, () -> await(node.module.webhooks().put(fx.actor(fx.admin), "http://example.org/hook",
        "interlude", SECRET, null)), "plain http only to loopback");
    InvalidInput shortSecret = assertThrows(InvalidInput.class, () -> await(node.module.webhooks().put(fx.actor(fx.admin),
        url(), "interlude", "short", null)));
    assertEquals("secret", shortSecret.field());
    assertThrows(RuntimeException.class, () -> await(node.module.webhooks().get(fx.actor(fx.casey))), "admins only");
    await(node.module.webhooks().disable(fx.actor(fx.admin)));
    crisis();
    assertEquals(0, fx.count("SELECT count(*) FROM webhook_delivery"), "a disabled webhook receives nothing");
    assertNull(received.isEmpty() ? null : received.get(0));
  }
}

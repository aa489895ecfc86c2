package org.interlude.cluster;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * Typed publish/subscribe over the Vert.x event bus (local on one node, mutual-TLS clustered
 * across nodes). Publishing is fire-and-forget: receivers must tolerate loss and repeats, and
 * read the state they act on from the database.
 */
public final class Bus {
  private final Vertx vertx;
  private final DeliveryOptions options = new DeliveryOptions().setCodecName(BusCodec.NAME);

  public Bus(Vertx vertx) {
    this.vertx = vertx;
    BusCodec codec = new BusCodec();
    for (BusAddress<?> a : Addresses.ALL) {
      codec.register(a);
    }
    vertx.eventBus().registerCodec(codec);
  }

  public <T extends BusMessage> void publish(BusAddress<T> address, T message) {
    vertx.eventBus().publish(address.name(), message, options);
  }

  /** Subscribes on this node; returns the consumer so callers can unregister on stop. */
  public <T extends BusMessage> MessageConsumer<BusMessage> subscribe(BusAddress<T> address, Handler<T> handler) {
    return vertx.eventBus().<BusMessage>consumer(address.name(), msg -> {
      BusMessage body = msg.body();
      if (address.type().isInstance(body)) {
        handler.handle(address.type().cast(body));
      }
    });
  }
}

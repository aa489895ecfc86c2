package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Queue;

/**
 * One instance of the public HTTPS listener. Several are deployed on the same port; Vert.x shares
 * the bound port between them and hands each new connection to one instance, whose event loop
 * then carries that connection (TLS, HTTP, WebSocket frames) for its whole life. A server created
 * outside a verticle would put every connection of the node on a single event loop, that is one
 * core, however many the machine has.
 *
 * <p>The handler (the router) is shared: it holds no per-thread state, and everything it reaches
 * is thread-safe. Each started server is added to {@code started} so the owner can report the
 * port and shut every instance down.
 */
public final class HttpFront extends VerticleBase {
  private final HttpServerOptions options;
  private final Handler<HttpServerRequest> handler;
  private final Queue<HttpServer> started;

  public HttpFront(HttpServerOptions options, Handler<HttpServerRequest> handler, Queue<HttpServer> started) {
    this.options = options;
    this.handler = handler;
    this.started = started;
  }

  @Override
  public Future<?> start() {
    HttpServer server = vertx.createHttpServer(new HttpServerOptions(options)).requestHandler(handler);
    return server.listen().onSuccess(started::add);
  }
}

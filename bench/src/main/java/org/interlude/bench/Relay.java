package org.interlude.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stack's floor: a minimal Vert.x WebSocket relay speaking the same frames as Interlude for
 * the benchmark (hello, chat.send → chat.ack + chat.message to the other sockets of the
 * conversation, chat.sync → chat.synced) over WSS with the node's certificate, with no
 * authentication, validation, encryption or persistence. Sockets name their user and
 * conversation in the query: {@code /ws?u=<user>&c=<conversationId>}.
 *
 * <p>Usage: {@code Relay <port> <cert.pem> <key.pem>}; prints "relay ready" when listening.
 */
public final class Relay extends AbstractVerticle {
  private static final Map<String, Set<ServerWebSocket>> conversations = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> seqs = new ConcurrentHashMap<>();

  private final int port;
  private final String cert;
  private final String key;

  Relay(int port, String cert, String key) {
    this.port = port;
    this.cert = cert;
    this.key = key;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    vertx.deployVerticle(() -> new Relay(port, args[1], args[2]), new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> System.out.println("relay ready on " + port))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public void start(io.vertx.core.Promise<Void> started) {
    HttpServerOptions o = new HttpServerOptions().setSsl(true).setPort(port).setHost("127.0.0.1")
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key))
        .setWebSocketSubProtocols(List.of("interlude.v1")).setMaxWebSocketMessageSize(65536);
    if (OpenSSLEngineOptions.isAvailable()) {
      o.setSslEngineOptions(new OpenSSLEngineOptions());
    }
    vertx.createHttpServer(o)
        .webSocketHandshakeHandler(ServerWebSocketHandshake::accept)
        .webSocketHandler(this::socket)
        .requestHandler(r -> r.response().setStatusCode(404).end())
        .listen().<Void>mapEmpty().onComplete(started);
  }

  private static String param(String query, String name) {
    if (query == null) {
      return null;
    }
    for (String kv : query.split("&")) {
      int i = kv.indexOf('=');
      if (i > 0 && kv.substring(0, i).equals(name)) {
        return kv.substring(i + 1);
      }
    }
    return null;
  }

  private void socket(ServerWebSocket ws) {
    String user = param(ws.query(), "u");
    String conv = param(ws.query(), "c");
    if (user == null || conv == null) {
      ws.close((short) 1008);
      return;
    }
    Set<ServerWebSocket> members = conversations.computeIfAbsent(conv, k -> ConcurrentHashMap.newKeySet());
    members.add(ws);
    seqs.computeIfAbsent(conv, k -> new AtomicLong());
    ws.closeHandler(v -> members.remove(ws));
    ws.writeTextMessage(new JsonObject().put("type", "hello").put("user", new JsonObject().put("id", user))
        .put("conversations", new JsonArray().add(new JsonObject().put("conversationId", conv))).encode());
    ws.textMessageHandler(text -> {
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        ws.writeTextMessage("{\"type\":\"error\",\"code\":\"malformed\",\"message\":\"not JSON\"}");
        return;
      }
      String type = f.getString("type", "");
      switch (type) {
        case "chat.send" -> {
          String c = f.getString("conversationId");
          Set<ServerWebSocket> to = conversations.get(c);
          if (to == null || !to.contains(ws)) {
            ws.writeTextMessage("{\"type\":\"error\",\"code\":\"not_found\",\"message\":\"no such conversation\"}");
            return;
          }
          long seq = seqs.get(c).incrementAndGet();
          String at = Instant.now().toString();
          JsonObject ack = new JsonObject().put("type", "chat.ack").put("conversationId", c)
              .put("clientMsgId", f.getString("clientMsgId")).put("seq", seq).put("at", at);
          if (f.getString("ref") != null) {
            ack.put("ref", f.getString("ref"));
          }
          String msg = new JsonObject().put("type", "chat.message").put("conversationId", c).put("seq", seq)
              .put("clientMsgId", f.getString("clientMsgId")).put("at", at)
              .put("sender", new JsonObject().put("id", user)).put("text", f.getString("text")).encode();
          ws.writeTextMessage(ack.encode());
          for (ServerWebSocket other : to) {
            if (other != ws) {
              other.writeTextMessage(msg);
            }
          }
        }
        case "chat.sync" -> {
          String c = f.getString("conversationId");
          AtomicLong s = seqs.get(c);
          ws.writeTextMessage(new JsonObject().put("type", "chat.synced").put("conversationId", c)
              .put("lastSeq", s == null ? 0 : s.get()).encode());
        }
        default -> ws.writeTextMessage(new JsonObject().put("type", "error").put("code", "unknown_type")
            .put("message", "unknown type").encode());
      }
    });
  }
}

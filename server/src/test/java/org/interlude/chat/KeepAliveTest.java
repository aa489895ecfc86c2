package org.interlude.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.interlude.app.Server;
import org.interlude.storage.DatabaseTarget;
import org.interlude.testing.Fixtures;
import org.interlude.testing.PostgresExtension;
import org.interlude.testing.TestServers;
import org.interlude.testing.TestSession;
import org.interlude.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ping/pong and the idle timeout, with a 2 s ping interval (pinged a slice of the sockets per
 * second) and a 3 s idle timeout: quiet clients that answer pings stay connected for several
 * idle timeouts, each of them pinged whichever slice it fell in; a client that never answers
 * (a raw socket that does the handshake and then reads nothing) is closed with 1001.
 */
@ExtendWith(PostgresExtension.class)
class KeepAliveTest {
  static Server server;
  static int port;

  @BeforeAll
  static void start(DatabaseTarget db) {
    var env = new HashMap<>(TestServers.env(db));
    env.put("INTERLUDE_CHAT_PING_INTERVAL", "2s");
    env.put("INTERLUDE_CHAT_IDLE_TIMEOUT", "3s");
    server = TestServers.start(env);
    port = server.httpPort();
    Fixtures.clinic(server, "ka");
  }

  @AfterAll
  static void stop() {
    TestServers.stop(server);
  }

  @Test
  void quietClientsThatAnswerPingsStayAndASilentOneIsClosed() throws Exception {
    TestSession client = TestSession.login(port, "ka-client");
    TestSession therapist = TestSession.login(port, "ka-therapist");
    List<WsClient> quiet = new ArrayList<>();
    try (SilentSocket silent = SilentSocket.open(therapist)) {
      // Several sockets, so both slices of the ping schedule have members.
      for (int i = 0; i < 4; i++) {
        quiet.add(WsClient.connect(i % 2 == 0 ? client : therapist));
      }
      for (WsClient q : quiet) {
        q.await("hello");
      }
      long start = System.nanoTime();
      // Without pings the quiet ones would be closed after 3 s of silence; they send nothing.
      while (System.nanoTime() - start < Duration.ofSeconds(8).toNanos()) {
        Thread.sleep(200);
        for (WsClient q : quiet) {
          assertFalse(q.isClosed(), "a quiet client that answers pings is kept");
        }
      }
      assertEquals(1001, silent.closeCode(), "a client that does not answer pings is closed as idle");
    } finally {
      quiet.forEach(WsClient::close);
    }
  }

  /** A WebSocket client that completes the handshake and then never answers anything. */
  static final class SilentSocket implements AutoCloseable {
    private final javax.net.ssl.SSLSocket socket;
    private final java.io.InputStream in;

    private SilentSocket(javax.net.ssl.SSLSocket socket) throws java.io.IOException {
      this.socket = socket;
      this.in = new java.io.BufferedInputStream(socket.getInputStream());
    }

    static SilentSocket open(TestSession s) throws java.io.IOException {
      var socket = (javax.net.ssl.SSLSocket) org.interlude.testing.Https.trustAll().getSocketFactory()
          .createSocket("127.0.0.1", s.port);
      socket.setSoTimeout(20_000);
      String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + s.port + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Protocol: interlude.v1\r\nOrigin: " + s.origin() + "\r\nCookie: " + s.cookie + "\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      SilentSocket silent = new SilentSocket(socket);
      String head = silent.headers();
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new IllegalStateException("handshake refused: " + head.lines().findFirst().orElse(""));
      }
      return silent;
    }

    private String headers() throws java.io.IOException {
      StringBuilder b = new StringBuilder();
      while (!b.toString().endsWith("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          throw new java.io.EOFException("connection closed during the handshake");
        }
        b.append((char) c);
      }
      return b.toString();
    }

    /** Reads frames (answering none) until the server's close frame; returns its status code. */
    int closeCode() throws java.io.IOException {
      while (true) {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
          throw new java.io.EOFException("closed without a close frame");
        }
        long len = b1 & 0x7F;
        if (len == 126) {
          len = (in.read() << 8) | in.read();
        } else if (len == 127) {
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | in.read();
          }
        }
        byte[] payload = in.readNBytes((int) len);
        if ((b0 & 0x0F) == 0x8) {
          return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
      }
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }
}

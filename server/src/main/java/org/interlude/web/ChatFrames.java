package org.interlude.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.interlude.chat.ChatService;
import org.interlude.chat.Conversation;
import org.interlude.chat.MessageView;
import org.interlude.chat.Participant;
import org.interlude.chat.StoredMessage;
import org.interlude.config.InterludeConfig;
import org.interlude.identity.InvalidInput;

/**
 * The chat frames of the shared socket. {@code chat.send} is acknowledged only after the commit;
 * the message then goes straight to this node's sockets of every participant and, as an ids-only
 * nudge, to the other nodes, which read it back from PostgreSQL. Sync and history are paced to
 * the reader. Read receipts are stored; typing is ephemeral and rate-limited.
 */
public final class ChatFrames {
  static final String MESSAGE = "chat.message";
  static final String RECEIPT = "chat.read";
  static final String TYPING = "chat.typing";
  static final String UNREAD = "chat.unread";

  private final ChatService chat;
  private final SocketHub hub;
  private final InterludeConfig.Chat limits;
  private final Map<UUID, RateLimiter> sendLimits = new ConcurrentHashMap<>();
  private final Map<UUID, RateLimiter> typingLimits = new ConcurrentHashMap<>();
  private final BiConsumer<Conversation, StoredMessage> committed;

  /**
   * @param committed called after each new (non-duplicate) message commits, e.g. for screening
   */
  public ChatFrames(ChatService chat, SocketHub hub, InterludeConfig.Chat limits,
      BiConsumer<Conversation, StoredMessage> committed) {
    this.chat = chat;
    this.hub = hub;
    this.limits = limits;
    this.committed = committed;
  }

  public void install(Frames frames) {
    frames.register("chat.send", Set.of(), this::send);
    frames.register("chat.sync", Set.of(), this::sync);
    frames.register("chat.history", Set.of(), this::history);
    frames.register("chat.read", Set.of(), this::read);
    frames.register("chat.typing", Set.of(), this::typing);
    hub.registerSource(MESSAGE, (s, id) -> {
      String[] p = id.split(":");
      return chat.one(s.actor(), UUID.fromString(p[0]), Long.parseLong(p[1]))
          .map(list -> list.stream().map(MessageView::frame).toList());
    });
    hub.registerSource(RECEIPT, (s, id) -> {
      String[] p = id.split("\\|");
      UUID conv = UUID.fromString(p[0]);
      UUID reader = UUID.fromString(p[1]);
      return chat.conversations().forActor(s.actor(), conv).map(c -> List.of(receipt(c, reader, Long.parseLong(p[2]),
          Instant.ofEpochMilli(Long.parseLong(p[3])))));
    });
    hub.registerSource(TYPING, (s, id) -> {
      String[] p = id.split("\\|");
      UUID conv = UUID.fromString(p[0]);
      UUID who = UUID.fromString(p[1]);
      if (who.equals(s.actor().userId())) {
        return Future.succeededFuture(List.of());
      }
      return chat.conversations().forActor(s.actor(), conv).map(c -> {
        Participant person = c.participants().get(who);
        return person == null ? List.<JsonObject>of() : List.of(new JsonObject().put("type", "chat.typing.indicator")
            .put("conversationId", conv.toString()).put("userId", who.toString()).put("displayName", person.displayName()));
      });
    });
    hub.registerSource(UNREAD, (s, id) -> {
      UUID conv = UUID.fromString(id);
      return chat.conversations().forActor(s.actor(), conv).compose(c -> s.actor().isClient()
          ? Future.succeededFuture(List.<JsonObject>of())
          : chat.unread(conv, s.actor().userId()).map(n -> List.of(new JsonObject().put("type", "chat.unread")
              .put("conversationId", conv.toString()).put("clientId", c.clientId().toString()).put("unread", n))));
    });
    hub.helloPart(s -> chat.summaries(s.actor()).map(list -> new JsonObject().put("conversations", list)));
  }

  private static UUID uuid(JsonObject f, String field) {
    return UUID.fromString(f.getString(field));
  }

  private static JsonObject withRef(JsonObject reply, JsonObject frame) {
    String ref = frame.getString("ref");
    return ref == null ? reply : reply.put("ref", ref);
  }

  private Future<Void> send(Socket s, JsonObject f) {
    RateLimiter limiter = sendLimits.computeIfAbsent(s.actor().userId(),
        k -> new RateLimiter(limits.sendBurst(), limits.sendPerSecond()));
    if (!limiter.tryAcquire()) {
      return Future.failedFuture(new InvalidInput("rate_limited", null,
          "you are sending messages too fast; wait a moment and send again"));
    }
    UUID conv = uuid(f, "conversationId");
    return chat.send(s.actor(), conv, uuid(f, "clientMsgId"), f.getString("text")).map(result -> {
      StoredMessage m = result.message();
      s.send(withRef(new JsonObject().put("type", "chat.ack").put("conversationId", conv.toString())
          .put("clientMsgId", m.clientMsgId().toString()).put("seq", m.seq()).put("at", m.at().toString()), f));
      if (!m.duplicate()) {
        deliver(result);
        committed.accept(result.conversation(), m);
      } else {
        // A resend of a committed message: the node that committed it may have died before
        // delivering it, leaving connected participants without it until their next sync. Every
        // node delivers it again from the database; clients drop a seq they already hold.
        hub.nudge(result.conversation().participants().keySet(), MESSAGE, conv + ":" + m.seq());
      }
      return null;
    });
  }

  private void deliver(ChatService.SendResult result) {
    JsonObject frame = result.view().frame();
    Set<UUID> people = result.conversation().participants().keySet();
    for (UUID p : people) {
      hub.sendLocal(p, frame);
    }
    // No chat.unread per message: each staff socket counts the chat.message it is given from the
    // count in hello (a per-message count query per staff member was most of PostgreSQL's work
    // per message in the benchmark). chat.unread answers what a message cannot say: a read.
    hub.nudgeOtherNodes(people, MESSAGE, result.message().conversationId() + ":" + result.message().seq());
  }

  private Future<Void> sync(Socket s, JsonObject f) {
    UUID conv = uuid(f, "conversationId");
    return syncFrom(s, conv, f.getLong("afterSeq"), f);
  }

  private Future<Void> syncFrom(Socket s, UUID conv, long after, JsonObject f) {
    return chat.after(s.actor(), conv, after, ChatService.MAX_PAGE).compose(page -> {
      Future<Void> sent = Future.succeededFuture();
      for (MessageView m : page) {
        sent = sent.compose(v -> s.sendPaced(m.frame()));
      }
      long last = page.isEmpty() ? after : page.get(page.size() - 1).seq();
      if (page.size() == ChatService.MAX_PAGE) {
        return sent.compose(v -> syncFrom(s, conv, last, f));
      }
      return sent.map(v -> {
        s.send(withRef(new JsonObject().put("type", "chat.synced").put("conversationId", conv.toString())
            .put("lastSeq", last), f));
        return null;
      });
    });
  }

  private Future<Void> history(Socket s, JsonObject f) {
    UUID conv = uuid(f, "conversationId");
    int limit = f.getInteger("limit", 50);
    return chat.before(s.actor(), conv, f.getLong("beforeSeq"), limit).compose(list -> {
      io.vertx.core.json.JsonArray msgs = new io.vertx.core.json.JsonArray();
      list.forEach(m -> msgs.add(m.frame()));
      return s.sendPaced(withRef(new JsonObject().put("type", "chat.history.page").put("conversationId", conv.toString())
          .put("messages", msgs).put("hasMore", list.size() == limit), f));
    });
  }

  private Future<Void> read(Socket s, JsonObject f) {
    UUID conv = uuid(f, "conversationId");
    return chat.markRead(s.actor(), conv, f.getLong("seq")).map(r -> {
      Set<UUID> people = r.conversation().participants().keySet();
      hub.nudge(people, RECEIPT, conv + "|" + s.actor().userId() + "|" + r.seq() + "|" + r.at().toEpochMilli());
      // The reader's other tabs and devices learn their new count.
      hub.nudge(Set.of(s.actor().userId()), UNREAD, conv.toString());
      return null;
    });
  }

  private JsonObject receipt(Conversation c, UUID reader, long seq, Instant at) {
    Participant p = c.participants().get(reader);
    return new JsonObject().put("type", "chat.read.receipt").put("conversationId", c.id().toString())
        .put("userId", reader.toString()).put("displayName", p == null ? null : p.displayName()).put("seq", seq)
        .put("at", at.toString());
  }

  private Future<Void> typing(Socket s, JsonObject f) {
    RateLimiter limiter = typingLimits.computeIfAbsent(s.actor().userId(),
        k -> new RateLimiter(Math.max(1, limits.typingPerMinute() / 6), limits.typingPerMinute() / 60.0));
    if (!limiter.tryAcquire()) {
      return Future.failedFuture(new InvalidInput("rate_limited", null, "typing indicators are limited; slow down"));
    }
    UUID conv = uuid(f, "conversationId");
    return chat.conversations().forActor(s.actor(), conv).map(c -> {
      Set<UUID> others = new HashSet<>(c.participants().keySet());
      others.remove(s.actor().userId());
      hub.nudge(others, TYPING, conv + "|" + s.actor().userId());
      return null;
    });
  }
}

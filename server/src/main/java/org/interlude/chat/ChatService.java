package org.interlude.chat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.interlude.audit.AuditEvent;
import org.interlude.audit.AuditLog;
import org.interlude.crypto.Aead;
import org.interlude.crypto.TamperedCiphertextException;
import org.interlude.identity.Actor;
import org.interlude.identity.InvalidInput;
import org.interlude.storage.PgErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sending, reading and marking chat messages. Every call is authorised against the
 * conversation it names ({@link Conversations#forActor}); text is NFC-normalised and limited;
 * reads decrypt and report tampered rows as unreadable. Staff reads of a client's conversation
 * are audited (ids only).
 */
public final class ChatService {
  private static final Logger log = LoggerFactory.getLogger(ChatService.class);
  public static final int MAX_PAGE = 500;

  private final Pool pool;
  private final Conversations conversations;
  private final MessageWriter writer;
  private final AuditLog audit;
  private final Clock clock;
  private final int maxChars;

  public ChatService(Pool pool, Conversations conversations, MessageWriter writer, AuditLog audit, Clock clock,
      int maxChars) {
    this.pool = pool;
    this.conversations = conversations;
    this.writer = writer;
    this.audit = audit;
    this.clock = clock;
    this.maxChars = maxChars;
  }

  public Conversations conversations() {
    return conversations;
  }

  /** Normalised text, or InvalidInput (empty_message / too_long). */
  String normalise(String text) {
    String t = Normalizer.normalize(text, Normalizer.Form.NFC);
    if (t.isBlank()) {
      throw new InvalidInput("empty_message", "text", "the message is empty");
    }
    int chars = t.codePointCount(0, t.length());
    if (chars > maxChars) {
      throw new InvalidInput("too_long", "text", "messages can be up to " + maxChars + " characters; this one has " + chars);
    }
    return t;
  }

  /** Stores a message; completes only after the commit. Repeats of a clientMsgId answer the same seq. */
  public Future<SendResult> send(Actor a, UUID conversationId, UUID clientMsgId, String text) {
    String t;
    try {
      t = normalise(text);
    } catch (InvalidInput e) {
      return Future.failedFuture(e);
    }
    return conversations.forActor(a, conversationId)
        .compose(c -> writer.write(c, clientMsgId, a.userId(), t).map(m -> new SendResult(c, m)));
  }

  /** A stored message with the conversation it went to (for delivery). */
  public record SendResult(Conversation conversation, StoredMessage message) {
    public MessageView view() {
      Participant sender = conversation.participants().get(message.senderId());
      return new MessageView(message.conversationId(), message.seq(), message.at(), message.clientMsgId(), sender,
          message.text());
    }
  }

  /** Messages with seq > afterSeq in order, at most {@code limit}. */
  public Future<List<MessageView>> after(Actor a, UUID conversationId, long afterSeq, int limit) {
    return conversations.forActor(a, conversationId).compose(c -> auditRead(a, c, "chat.sync")
        .compose(v -> pool.preparedQuery("SELECT seq, client_msg_id, sender_id, sent_at, body FROM message"
                + " WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
            .execute(Tuple.of(conversationId, afterSeq, limit)))
        .compose(rows -> views(c, rows)))
        .recover(PgErrors::recover);
  }

  /** Up to {@code limit} messages before {@code beforeSeq}, returned oldest first. */
  public Future<List<MessageView>> before(Actor a, UUID conversationId, long beforeSeq, int limit) {
    return conversations.forActor(a, conversationId).compose(c -> auditRead(a, c, "chat.history")
        .compose(v -> pool.preparedQuery("SELECT seq, client_msg_id, sender_id, sent_at, body FROM message"
                + " WHERE conversation_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3")
            .execute(Tuple.of(conversationId, beforeSeq, limit)))
        .compose(rows -> views(c, rows))
        .map(list -> {
          List<MessageView> asc = new ArrayList<>(list);
          java.util.Collections.reverse(asc);
          return asc;
        }))
        .recover(PgErrors::recover);
  }

  /** One message (for delivery on another node); empty list when it is not there. */
  public Future<List<MessageView>> one(Actor a, UUID conversationId, long seq) {
    return conversations.forActor(a, conversationId).compose(c -> pool.preparedQuery("SELECT seq, client_msg_id,"
            + " sender_id, sent_at, body FROM message WHERE conversation_id = $1 AND seq = $2")
        .execute(Tuple.of(conversationId, seq)).compose(rows -> views(c, rows)));
  }

  private Future<Void> auditRead(Actor a, Conversation c, String action) {
    if (a.userId().equals(c.clientId())) {
      return Future.succeededFuture();
    }
    return audit.record(AuditEvent.of(action).clinic(a.clinicId()).actor(a.userId(), a.auditRole())
        .subject(c.clientId()).object("conversation", c.id()).source(a.sourceIp(), a.correlationId()).build());
  }

  private Future<List<MessageView>> views(Conversation c, RowSet<Row> rows) {
    List<Row> list = new ArrayList<>();
    rows.forEach(list::add);
    List<Future<Participant>> senders = new ArrayList<>();
    for (Row r : list) {
      UUID s = r.getUUID("sender_id");
      Participant p = c.participants().get(s);
      senders.add(p != null ? Future.succeededFuture(p) : conversations.person(s));
    }
    return Future.all(senders).map(all -> {
      List<MessageView> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        Row r = list.get(i);
        long seq = r.getLong("seq");
        UUID clientMsgId = r.getUUID("client_msg_id");
        String text;
        try {
          text = new String(Aead.open(c.dataKey(), r.getBuffer("body").getBytes(),
              MessageWriter.aad(c.id(), seq, clientMsgId)), StandardCharsets.UTF_8);
        } catch (TamperedCiphertextException e) {
          log.error("message failed authentication conversation={} seq={}: reported as unreadable", c.id(), seq);
          text = null;
        }
        out.add(new MessageView(c.id(), seq, r.getOffsetDateTime("sent_at").toInstant(), clientMsgId,
            all.resultAt(i), text));
      }
      return out;
    });
  }

  /** Records that the actor read up to {@code seq} (never moves backwards); returns the stored seq. */
  public Future<ReadResult> markRead(Actor a, UUID conversationId, long seq) {
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return conversations.forActor(a, conversationId).compose(c -> pool.preparedQuery(
            "INSERT INTO read_marker (conversation_id, user_id, seq, updated_at)"
                + " SELECT $1, $2, LEAST($3, last_seq), $4 FROM conversation WHERE id = $1"
                + " ON CONFLICT (conversation_id, user_id) DO UPDATE SET seq = GREATEST(read_marker.seq, EXCLUDED.seq),"
                + " updated_at = EXCLUDED.updated_at RETURNING seq")
        .execute(Tuple.of(conversationId, a.userId(), seq, now))
        .map(rows -> new ReadResult(c, rows.iterator().next().getLong(0), now.toInstant())))
        .recover(PgErrors::recover);
  }

  /** A read marker as stored. */
  public record ReadResult(Conversation conversation, long seq, java.time.Instant at) {}

  /** Messages in the conversation from others that {@code userId} has not read. */
  public Future<Long> unread(UUID conversationId, UUID userId) {
    return pool.preparedQuery("SELECT count(*) FROM message m WHERE m.conversation_id = $1 AND m.sender_id <> $2"
            + " AND m.seq > COALESCE((SELECT seq FROM read_marker WHERE conversation_id = $1 AND user_id = $2), 0)")
        .execute(Tuple.of(conversationId, userId)).map(rows -> rows.iterator().next().getLong(0))
        .recover(PgErrors::recover);
  }

  /** The actor's conversations with counters, for the {@code hello} frame. */
  public Future<JsonArray> summaries(Actor a) {
    return conversations.idsFor(a).compose(ids -> {
      if (ids.isEmpty()) {
        return Future.succeededFuture(new JsonArray());
      }
      return pool.preparedQuery("SELECT c.id, c.client_id, c.last_seq,"
              + " COALESCE((SELECT seq FROM read_marker r WHERE r.conversation_id = c.id AND r.user_id = $2), 0) AS read_seq,"
              + " COALESCE((SELECT max(seq) FROM read_marker r WHERE r.conversation_id = c.id AND r.user_id <> $2), 0)"
              + "   AS other_read_seq,"
              + " (SELECT count(*) FROM message m WHERE m.conversation_id = c.id AND m.sender_id <> $2 AND m.seq >"
              + "   COALESCE((SELECT seq FROM read_marker r WHERE r.conversation_id = c.id AND r.user_id = $2), 0)) AS unread"
              + " FROM conversation c WHERE c.id = ANY($1)")
          .execute(Tuple.of(ids.toArray(UUID[]::new), a.userId()))
          .compose(rows -> {
            List<Future<JsonObject>> out = new ArrayList<>();
            for (Row r : rows) {
              UUID id = r.getUUID("id");
              JsonObject base = new JsonObject().put("conversationId", id.toString())
                  .put("clientId", r.getUUID("client_id").toString()).put("lastSeq", r.getLong("last_seq"))
                  .put("readSeq", r.getLong("read_seq")).put("otherReadSeq", r.getLong("other_read_seq"))
                  .put("unread", r.getLong("unread"));
              out.add(conversations.get(id).map(c -> {
                JsonArray ps = new JsonArray();
                c.ifPresent(conv -> conv.participants().values().forEach(p -> ps.add(p.toJson())));
                c.ifPresent(conv -> base.put("clientName", conv.client() == null ? null : conv.client().displayName()));
                return base.put("participants", ps);
              }));
            }
            return Future.all(out).map(cf -> {
              JsonArray arr = new JsonArray();
              for (int i = 0; i < cf.size(); i++) {
                arr.add(cf.resultAt(i));
              }
              return arr;
            });
          });
    }).recover(PgErrors::recover);
  }

  /** Completes once every queued message is committed (shutdown). */
  public Future<Void> drain() {
    return writer.drain();
  }
}

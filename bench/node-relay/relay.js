// Peer baseline for scripts/bench: the same minimal relay as bench/.../Relay.java (hello,
// chat.send -> chat.ack + chat.message to the conversation's other sockets, chat.sync ->
// chat.synced), over WSS with the node's self-signed certificate, on Node's `ws` package.
// No auth, no validation, no persistence. Usage: node relay.js <port> <cert.pem> <key.pem>
'use strict';
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

const [port, certPath, keyPath] = process.argv.slice(2);
const server = https.createServer({ cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) },
  (req, res) => { res.statusCode = 404; res.end(); });
const wss = new WebSocketServer({
  server,
  maxPayload: 65536,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('interlude.v1') ? 'interlude.v1' : false),
});
const conversations = new Map(); // conversationId -> {seq, sockets:Set}

wss.on('connection', (ws, req) => {
  const q = new URL(req.url, 'https://localhost').searchParams;
  const user = q.get('u');
  const conv = q.get('c');
  if (!user || !conv) { ws.close(1008); return; }
  let c = conversations.get(conv);
  if (!c) { c = { seq: 0, sockets: new Set() }; conversations.set(conv, c); }
  c.sockets.add(ws);
  ws.on('close', () => c.sockets.delete(ws));
  ws.send(JSON.stringify({ type: 'hello', user: { id: user }, conversations: [{ conversationId: conv }] }));
  ws.on('message', (data) => {
    let f;
    try { f = JSON.parse(data.toString()); } catch (e) {
      ws.send('{"type":"error","code":"malformed","message":"not JSON"}'); return;
    }
    if (f.type === 'chat.send') {
      const target = conversations.get(f.conversationId);
      if (!target || !target.sockets.has(ws)) {
        ws.send('{"type":"error","code":"not_found","message":"no such conversation"}'); return;
      }
      const seq = ++target.seq;
      const at = new Date().toISOString();
      const ack = { type: 'chat.ack', conversationId: f.conversationId, clientMsgId: f.clientMsgId, seq, at };
      if (f.ref !== undefined) ack.ref = f.ref;
      const msg = JSON.stringify({ type: 'chat.message', conversationId: f.conversationId, seq,
        clientMsgId: f.clientMsgId, at, sender: { id: user }, text: f.text });
      ws.send(JSON.stringify(ack));
      for (const other of target.sockets) if (other !== ws) other.send(msg);
    } else if (f.type === 'chat.sync') {
      const target = conversations.get(f.conversationId);
      ws.send(JSON.stringify({ type: 'chat.synced', conversationId: f.conversationId, lastSeq: target ? target.seq : 0 }));
    } else {
      ws.send(JSON.stringify({ type: 'error', code: 'unknown_type', message: 'unknown type' }));
    }
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log(`relay ready on ${port}`));

// A scripted stand-in for the server end of the connection, for unit tests.
import type { Channel, ConnectionState } from '../connection';
import type { ClientFrame, ConversationSummary, Participant, ServerFrame } from '../protocol';
import { Emitter } from '../ui/emitter';

export class FakeChannel implements Channel {
  readonly frames = new Emitter<ServerFrame>();
  readonly state = new Emitter<ConnectionState>();
  readonly sent: ClientFrame[] = [];
  isOpen = false;
  restarts = 0;

  send(frame: ClientFrame): boolean {
    if (!this.isOpen) return false;
    this.sent.push(frame);
    return true;
  }

  restart(): void {
    this.restarts += 1;
    this.drop();
  }

  connect(conversations: ConversationSummary[]): void {
    this.isOpen = true;
    this.state.emit('connected');
    this.frames.emit({ type: 'hello', user: { id: ALEX.id, displayName: ALEX.displayName, roles: ['client'] }, idleTimeoutSeconds: 1800, serverTime: new Date().toISOString(), conversations });
  }

  drop(): void {
    this.isOpen = false;
    this.state.emit('reconnecting');
  }

  server(frame: ServerFrame): void {
    this.frames.emit(frame);
  }

  /** The frames of one type sent so far, and forgets them. */
  take<T extends ClientFrame['type']>(type: T): Extract<ClientFrame, { type: T }>[] {
    const out = this.sent.filter((f) => f.type === type) as Extract<ClientFrame, { type: T }>[];
    for (let i = this.sent.length - 1; i >= 0; i--) if (this.sent[i].type === type) this.sent.splice(i, 1);
    return out;
  }
}

export const ALEX: Participant = { id: 'a1a1a1a1-0000-4000-8000-000000000001', displayName: 'Alex Morgan', role: 'client' };
export const SAM: Participant = { id: 'b2b2b2b2-0000-4000-8000-000000000002', displayName: 'Dr. Sam Rivera', role: 'therapist' };
export const CONV = 'c3c3c3c3-0000-4000-8000-000000000003';

export function summary(lastSeq: number, extra: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    conversationId: CONV,
    clientId: ALEX.id,
    clientName: ALEX.displayName,
    lastSeq,
    readSeq: 0,
    otherReadSeq: 0,
    unread: 0,
    participants: [ALEX, SAM],
    ...extra,
  };
}

// Messages the user has written that the server has not acknowledged yet. They live in memory
// and in sessionStorage, so a reload (or a crash of the tab's page, not of the browser) does not
// lose what someone in distress typed. sessionStorage is per tab and is cleared when the tab
// closes; sign-out clears it explicitly. Each entry keeps its clientMsgId for life, so every
// resend is the same message to the server, which de-duplicates by it.

export type OutboxState = 'pending' | 'failed';

export interface OutboxEntry {
  clientMsgId: string;
  conversationId: string;
  text: string;
  createdAt: string;
  state: OutboxState;
  /** Why it failed, in words for the user. */
  error?: string;
}

export class Outbox {
  private entries: OutboxEntry[];

  constructor(private readonly storageKey: string) {
    this.entries = load(storageKey);
  }

  all(): readonly OutboxEntry[] {
    return this.entries;
  }

  forConversation(conversationId: string): OutboxEntry[] {
    return this.entries.filter((e) => e.conversationId === conversationId);
  }

  get(clientMsgId: string): OutboxEntry | undefined {
    return this.entries.find((e) => e.clientMsgId === clientMsgId);
  }

  add(entry: OutboxEntry): void {
    this.entries.push(entry);
    this.save();
  }

  update(clientMsgId: string, change: Partial<Pick<OutboxEntry, 'state' | 'error'>>): void {
    const e = this.get(clientMsgId);
    if (!e) return;
    Object.assign(e, change);
    if (change.state === 'pending') delete e.error;
    this.save();
  }

  remove(clientMsgId: string): OutboxEntry | undefined {
    const i = this.entries.findIndex((e) => e.clientMsgId === clientMsgId);
    if (i < 0) return undefined;
    const [removed] = this.entries.splice(i, 1);
    this.save();
    return removed;
  }

  /** Forgets everything, in memory and in storage (sign-out). */
  clear(): void {
    this.entries = [];
    try {
      sessionStorage.removeItem(this.storageKey);
    } catch {
      // Storage disabled: nothing was stored.
    }
  }

  private save(): void {
    try {
      if (this.entries.length === 0) sessionStorage.removeItem(this.storageKey);
      else sessionStorage.setItem(this.storageKey, JSON.stringify(this.entries));
    } catch {
      // Storage full or disabled: the queue still works in memory for this page's life.
    }
  }
}

function load(key: string): OutboxEntry[] {
  try {
    const raw = sessionStorage.getItem(key);
    if (!raw) return [];
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
  } catch {
    return [];
  }
}

function isEntry(v: unknown): v is OutboxEntry {
  const e = v as OutboxEntry;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.clientMsgId === 'string' &&
    typeof e.conversationId === 'string' &&
    typeof e.text === 'string' &&
    typeof e.createdAt === 'string' &&
    (e.state === 'pending' || e.state === 'failed')
  );
}

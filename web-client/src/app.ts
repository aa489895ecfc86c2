// The application shell: sign-in, then one session (connection, chat, idle watch, header and
// the views for the user's roles) until sign-out or the session ends, then sign-in again with
// a message saying why.

import { Api, ApiError } from './api';
import { ChatService } from './chat/service';
import { Outbox } from './chat/outbox';
import { Connection } from './connection';
import { CrisisService } from './crisis/service';
import type { Me } from './protocol';
import { Announcer } from './ui/announce';
import { confirmDialog } from './ui/dialog';
import { h, replace } from './ui/dom';
import { IdleWatch } from './ui/idle';
import { ConnectionStatus } from './ui/status';
import { Tabs } from './ui/tabs';
import { ClientView } from './views/client';
import { enrolView, mustEnrol } from './views/enrol';
import { loginView } from './views/login';
import { OncallView } from './views/oncall';
import { TherapistView } from './views/therapist';

const END_MESSAGES: Record<string, string> = {
  idle_timeout: 'You were signed out because nothing happened for a while. This protects your privacy. Please sign in again.',
  expired: 'Your session has ended. Please sign in again.',
  absolute_timeout: 'Your session reached its time limit. Please sign in again.',
  logout: 'You signed out in another tab or window.',
  password_change: 'Your password was changed, so you were signed out. Please sign in with the new password.',
  disabled: 'Your account has been disabled. Please contact your clinic.',
};

interface Disposable {
  dispose(): void;
}

class Session {
  readonly conn: Connection;
  readonly outbox: Outbox;
  private readonly crisisKey: string;
  private readonly parts: Disposable[] = [];
  private readonly off: (() => void)[] = [];

  constructor(
    readonly me: Me,
    private readonly api: Api,
    root: HTMLElement,
    app: App,
  ) {
    api.setCsrfToken(me.csrfToken);
    const roles = new Set(me.user.roles);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.conn = new Connection(`${scheme}://${location.host}/ws`, () => this.probe());
    this.outbox = new Outbox(`interlude.outbox.${me.user.id}`);
    this.crisisKey = `interlude.crisis.${me.user.id}`;

    const idle = new IdleWatch({
      idleSeconds: me.idleTimeoutSeconds,
      refresh: async () => {
        await api.get<Me>('/api/me');
      },
      expired: () => app.ended('idle_timeout', true),
      signOut: () => void app.signOut(),
    });
    this.parts.push(idle);
    this.off.push(
      api.activity.on(() => idle.restActivity()),
      this.conn.activity.on(() => idle.frameActivity()),
      this.conn.state.on((s) => s === 'connected' && idle.frameActivity()),
      this.conn.sessionEnded.on((reason) => app.ended(reason, false)),
    );

    const announcer = new Announcer();
    const status = new ConnectionStatus(this.conn);
    this.parts.push(status);
    const main = h('main', { id: 'main', tabindex: '-1', class: 'main' });
    const header = h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'skip-link', href: '#main' }, 'Skip to main content'),
      h('p', { class: 'brand' }, h('span', { class: 'brand-name' }, 'Interlude'), h('span', { class: 'brand-clinic' }, me.clinic.name)),
      status.element,
      h(
        'div',
        { class: 'who' },
        h('span', { class: 'who-name' }, me.user.displayName),
        h('button', { type: 'button', class: 'secondary small', onclick: () => void app.signOut() }, 'Sign out'),
      ),
    );
    replace(root, header, main, announcer.element);

    const staff = roles.has('therapist') || roles.has('oncall');
    const chatRole = roles.has('client') ? 'client' : roles.has('therapist') ? 'therapist' : 'oncall';
    const chat = roles.has('client') || roles.has('therapist')
      ? new ChatService(this.conn, { id: me.user.id, displayName: me.user.displayName, role: chatRole }, this.outbox)
      : null;
    if (chat) this.parts.push(chat);

    if (roles.has('client') && chat) {
      const crisis = new CrisisService(this.conn, this.crisisKey);
      const view = new ClientView(me, this.conn, chat, crisis);
      this.parts.push(crisis, view);
      document.title = 'Messages · Interlude';
      replace(main, h('h1', { class: 'sr-only' }, `Interlude, ${me.clinic.name}`), view.element);
    } else if (staff) {
      const therapist = roles.has('therapist') && chat ? new TherapistView(me, api, this.conn, chat, announcer) : null;
      const oncall = roles.has('oncall') ? new OncallView(me, api, this.conn, announcer) : null;
      if (therapist) this.parts.push(therapist);
      if (oncall) this.parts.push(oncall);
      document.title = (oncall && !therapist ? 'On-call' : 'Care team') + ' · Interlude';
      let content: HTMLElement;
      if (therapist && oncall) {
        const tabs = new Tabs('Workspaces', [
          { label: 'Care team', panel: therapist.element },
          { label: 'On-call alerts', panel: oncall.element },
        ]);
        this.off.push(oncall.countChanged.on((n) => tabs.setLabel(1, n > 0 ? `On-call alerts (${n})` : 'On-call alerts')));
        content = tabs.element;
      } else {
        content = (therapist ?? oncall)!.element;
      }
      replace(main, h('h1', { class: 'sr-only' }, oncall && !therapist ? 'On-call console' : 'Care team dashboard'), content);
    } else {
      document.title = 'Interlude';
      replace(
        main,
        h(
          'section',
          { class: 'admin-view' },
          h('h1', null, 'Administration'),
          h('p', null, 'Interlude is administered from the server with the scripts/interlude command (run "scripts/interlude help").'),
        ),
      );
    }
    this.conn.start();
    // A new screen replaced the one the user was on: start reading and tabbing from its content.
    main.focus();
  }

  /** Unsent messages that would be lost by signing out. */
  get unsent(): number {
    return this.outbox.all().length;
  }

  dispose(forget: boolean): void {
    this.off.forEach((o) => o());
    this.conn.stop();
    this.parts.forEach((p) => p.dispose());
    document.querySelectorAll('dialog').forEach((d) => d.remove());
    if (forget) {
      this.outbox.clear();
      try {
        sessionStorage.removeItem(this.crisisKey);
      } catch {
        // Storage disabled: nothing was stored.
      }
    }
  }

  private async probe(): Promise<'valid' | 'ended' | 'unreachable'> {
    try {
      await this.api.get<Me>('/api/me');
      return 'valid';
    } catch (e) {
      return e instanceof ApiError && e.status === 401 ? 'ended' : 'unreachable';
    }
  }
}

export class App {
  private readonly api = new Api();
  private session: Session | null = null;

  constructor(private readonly root: HTMLElement) {
    this.api.unauthorized.on(() => this.ended('expired', false));
  }

  async boot(): Promise<void> {
    try {
      const me = await this.api.get<Me>('/api/me');
      this.start(me);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.showLogin(null);
      else this.showUnreachable(e instanceof Error ? e.message : String(e));
    }
  }

  async signOut(): Promise<void> {
    const s = this.session;
    if (!s) return;
    const unsent = s.unsent;
    if (unsent > 0) {
      const go = await confirmDialog({
        title: 'Sign out with unsent messages?',
        body: h(
          'p',
          null,
          `${unsent === 1 ? '1 message has' : `${unsent} messages have`} not been sent yet. If you sign out now, ${unsent === 1 ? 'it' : 'they'} will be deleted from this device.`,
        ),
        confirm: 'Sign out anyway',
        cancel: 'Stay signed in',
      });
      if (!go || this.session !== s) return;
    }
    this.session = null;
    s.dispose(true);
    try {
      await this.api.post('/api/auth/logout');
    } catch {
      // Already ended on the server; the local session is gone either way.
    }
    this.api.setCsrfToken(null);
    this.showLogin('You have signed out.');
  }

  /**
   * The session is over (the server said so, or the idle deadline passed). Unsent messages stay
   * in this tab's storage and go out when the same person signs in again.
   */
  ended(reason: string, tellServer: boolean): void {
    const s = this.session;
    if (!s) return;
    this.session = null;
    const unsent = s.unsent;
    s.dispose(false);
    if (tellServer) void this.api.post('/api/auth/logout').catch(() => undefined);
    this.api.setCsrfToken(null);
    const why = END_MESSAGES[reason] ?? END_MESSAGES.expired;
    const kept = unsent > 0 ? ` ${unsent === 1 ? 'One message you wrote has' : `${unsent} messages you wrote have`} not been sent yet; ${unsent === 1 ? 'it' : 'they'} will be sent when you sign in again in this tab.` : '';
    this.showLogin(why + kept);
  }

  private start(me: Me): void {
    this.session?.dispose(false);
    this.session = null;
    this.api.setCsrfToken(me.csrfToken);
    if (mustEnrol(me)) {
      document.title = 'Set up your authenticator · Interlude';
      replace(
        this.root,
        enrolView(this.api, me, (enrolled) => this.start(enrolled), () => void this.leave()),
      );
      return;
    }
    this.session = new Session(me, this.api, this.root, this);
  }

  /** Sign-out before a session screen exists (during enrolment). */
  private async leave(): Promise<void> {
    try {
      await this.api.post('/api/auth/logout');
    } catch {
      // Already ended on the server.
    }
    this.api.setCsrfToken(null);
    this.showLogin('You have signed out.');
  }

  private showLogin(notice: string | null): void {
    document.title = 'Sign in · Interlude';
    replace(this.root, loginView(this.api, notice, (me) => this.start(me)));
  }

  private showUnreachable(message: string): void {
    document.title = 'Interlude';
    replace(
      this.root,
      h(
        'main',
        { class: 'login', id: 'main' },
        h(
          'div',
          { class: 'login-card' },
          h('h1', null, 'Interlude'),
          h('p', { role: 'alert' }, message),
          h('button', { type: 'button', class: 'primary', onclick: () => void this.boot() }, 'Try again'),
          h('p', { class: 'login-help' }, 'If you need help now, call or text your local crisis line, or your emergency number if you are in danger.'),
        ),
      ),
    );
  }
}

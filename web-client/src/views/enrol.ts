// Staff of a clinic that requires a second factor must enrol an authenticator app before
// anything else works (the server refuses the WebSocket and clinical calls until then). This
// screen does it in the session they just opened: scan the QR code (or type the key), then
// confirm with a current code.

import QRCode from 'qrcode';
import { ApiError, type Api } from '../api';
import type { Me } from '../protocol';
import { h, replace, uid } from '../ui/dom';

export function mustEnrol(me: Me): boolean {
  const staff = me.user.roles.some((r) => r === 'therapist' || r === 'oncall' || r === 'admin');
  return Boolean(me.clinic.requireTotp) && staff && !me.secondFactor;
}

export function enrolView(api: Api, me: Me, enrolled: (me: Me) => void, signOut: () => void): HTMLElement {
  const codeId = uid('totp-code');
  const keyId = uid('totp-key');
  const setup = h('div', { class: 'enrol-setup' }, h('p', { class: 'loading' }, 'Preparing your key…'));
  const code = h('input', { id: codeId, inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const confirm = h('button', { type: 'submit', class: 'primary' }, 'Confirm');
  const form = h(
    'form',
    {
      novalidate: true,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        if (!/^[0-9]{6}$/.test(code.value.trim())) {
          error.textContent = 'Enter the 6-digit code your authenticator app shows now.';
          code.focus();
          return;
        }
        confirm.disabled = true;
        try {
          await api.post('/api/auth/totp/confirm', { code: code.value.trim() });
          enrolled(await api.get<Me>('/api/me'));
        } catch (err) {
          error.textContent = err instanceof ApiError ? err.message : 'The code could not be checked. Please try again.';
          code.value = '';
          code.focus();
          confirm.disabled = false;
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: codeId }, 'Authenticator code'), code),
    error,
    h(
      'div',
      { class: 'form-actions' },
      confirm,
      h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'),
    ),
  );

  void api
    .post<{ otpauthUri: string }>('/api/auth/totp/enroll')
    .then(async ({ otpauthUri }) => {
      const secret = new URL(otpauthUri).searchParams.get('secret') ?? '';
      const qr = await QRCode.toDataURL(otpauthUri, { margin: 1, width: 200, errorCorrectionLevel: 'M' });
      replace(
        setup,
        h('img', { class: 'enrol-qr', src: qr, width: 200, height: 200, alt: 'QR code to add Interlude to your authenticator app' }),
        h(
          'p',
          null,
          h('span', { id: keyId }, 'Or type this key: '),
          h('code', { class: 'enrol-key', 'aria-labelledby': keyId, 'data-secret': secret }, secret.replace(/(.{4})/g, '$1 ').trim()),
        ),
      );
      code.focus();
    })
    .catch((err: unknown) => {
      replace(
        setup,
        h('p', { class: 'notice' }, `Enrolment could not start. ${err instanceof Error ? err.message : ''}`.trim()),
      );
    });

  return h(
    'main',
    { class: 'login', id: 'main' },
    h(
      'div',
      { class: 'login-card enrol-card' },
      h('h1', null, 'Set up your authenticator'),
      h(
        'p',
        null,
        `${me.clinic.name} asks staff to confirm each sign-in with an authenticator app. Add Interlude to yours, then enter the code it shows.`,
      ),
      setup,
      form,
    ),
  );
}

// The sign-in page. It also says why someone landed here (signed out for inactivity, session
// ended elsewhere), and where to turn if they cannot get in and need help now.

import { ApiError, type Api } from '../api';
import type { Me } from '../protocol';
import { h, uid } from '../ui/dom';

export function loginView(api: Api, notice: string | null, signedIn: (me: Me) => void): HTMLElement {
  const userId = uid('username');
  const passId = uid('password');
  const codeId = uid('totp');
  const username = h('input', { id: userId, name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { id: passId, name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const code = h('input', {
    id: codeId,
    name: 'totpCode',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 6,
  });
  const codeField = h('div', { class: 'field', hidden: true }, h('label', { for: codeId }, 'Authenticator code'), code);
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, 'Sign in');

  const form = h(
    'form',
    {
      class: 'login-form',
      novalidate: true,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        if (!username.value.trim() || !password.value) {
          error.textContent = 'Enter your username and password.';
          (username.value.trim() ? password : username).focus();
          return;
        }
        submit.disabled = true;
        submit.textContent = 'Signing in…';
        try {
          const me = await api.postAnonymous<Me>('/api/auth/login', {
            username: username.value.trim(),
            password: password.value,
            ...(codeField.hidden || !code.value ? {} : { totpCode: code.value.trim() }),
          });
          signedIn(me);
        } catch (err) {
          const apiError = err instanceof ApiError ? err : null;
          error.textContent = apiError ? apiError.message : 'Signing in did not work. Please try again.';
          if (apiError?.code === 'second_factor_required') {
            codeField.hidden = false;
            code.focus();
          } else {
            password.value = '';
            password.focus();
          }
          submit.disabled = false;
          submit.textContent = 'Sign in';
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: userId }, 'Username'), username),
    h('div', { class: 'field' }, h('label', { for: passId }, 'Password'), password),
    codeField,
    error,
    submit,
  );

  const page = h(
    'main',
    { class: 'login', id: 'main' },
    h(
      'div',
      { class: 'login-card' },
      h('h1', null, 'Interlude'),
      h('p', { class: 'lede' }, 'Sign in with the username your clinic gave you.'),
      notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
      form,
    ),
    h(
      'p',
      { class: 'login-help' },
      'Cannot sign in and need help now? Call or text your local crisis line, or your emergency number if you are in danger.',
    ),
  );
  queueMicrotask(() => username.focus());
  return page;
}

// REST client: JSON bodies, the session cookie (same origin), and the CSRF token on every
// state-changing call. Errors carry the server's `message`, which is written to be shown to the
// user. A 401 on a signed-in call means the session is over: listeners send the user to the
// sign-in page.

import type { ApiErrorBody } from './protocol';
import { Emitter } from './ui/emitter';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export class Api {
  private csrfToken: string | null = null;
  /** A signed-in call answered 401: the session ended (the payload is the server's message). */
  readonly unauthorized = new Emitter<string>();
  /** A signed-in call succeeded: the server's idle clock was restarted. */
  readonly activity = new Emitter<void>();

  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** For sign-in only: a 401 there is a wrong password, not an ended session. */
  postAnonymous<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body, false);
  }

  private async request<T>(method: Method, path: string, body?: unknown, signedIn = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network', 'Interlude could not be reached. Check your connection and try again.');
    }
    if (response.ok) {
      if (signedIn) this.activity.emit();
      if (response.status === 204) return undefined as T;
      return (await response.json()) as T;
    }
    const error = await readError(response);
    if (response.status === 401 && signedIn) this.unauthorized.emit(error.message);
    throw error;
  }
}

async function readError(response: Response): Promise<ApiError> {
  try {
    const b = (await response.json()) as Partial<ApiErrorBody>;
    if (typeof b.error === 'string' && typeof b.message === 'string') {
      return new ApiError(response.status, b.error, capitalise(b.message), b.field, b.retryAfterSeconds);
    }
  } catch {
    // Not JSON: a proxy or gateway answered; fall through to a generic message.
  }
  return new ApiError(
    response.status,
    'http_' + response.status,
    `The server could not handle the request (HTTP ${response.status}). Please try again.`,
  );
}

/**
 * Why a read of a client's record failed, in words: a 404 means the client does not exist or is
 * not the caller's to see (the server answers both alike), a 403 a missing second factor or role.
 */
export function recordProblem(e: unknown): string {
  if (e instanceof ApiError && e.status === 404) return 'This client was not found, or is no longer in your care.';
  if (e instanceof ApiError && e.status === 403) return `You are not allowed to see this. ${e.message}`;
  return e instanceof Error ? e.message : 'Please try again.';
}

/** Server messages are lower-case fragments ("the username or password is not correct"). */
export function capitalise(message: string): string {
  return message.length === 0 ? message : message[0].toUpperCase() + message.slice(1);
}

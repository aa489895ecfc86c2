// "Reset to default plan": what to ask before it, and why a change of the plan was refused, in
// words. Pure functions, no DOM. The reset itself is the server's (resetCheckinPlan): it puts the
// default steps and quiet hours back, for future check-ins only.

import { ApiError } from '../api';
import type { CheckinPlan, QuietHours } from '../protocol';
import { hasQuietHours } from './describe';
import { DEFAULT_QUIET } from './editor-state';

export interface ResetQuestion {
  title: string;
  body: string;
  confirm: string;
  cancel: string;
}

/**
 * The confirmation asked before resetting `plan`. It names the quiet hours the client will
 * have, and today's when they differ: those go back to the default too, and a therapist may have
 * agreed them with the client.
 */
export function resetQuestion(plan: CheckinPlan): ResetQuestion {
  const now = plan.quietHours;
  const same = now.start === DEFAULT_QUIET.start && now.end === DEFAULT_QUIET.end;
  const quiet = `quiet hours ${quietRange(DEFAULT_QUIET)}${same ? ' as now' : ` (currently ${quietRange(now)})`}`;
  return {
    title: 'Reset to the default plan?',
    body:
      `The adjustments to this client’s check-in plan are removed: the default integration plan’s steps apply again, with ${quiet}. ` +
      'This applies to future check-ins only: check-ins already sent, answered or missed stay as they were.',
    confirm: 'Reset the plan',
    cancel: 'Keep the adjusted plan',
  };
}

/** "22:00–08:00", or "none". */
function quietRange(q: QuietHours): string {
  return hasQuietHours(q) ? `${q.start}–${q.end}` : 'none';
}

/**
 * Why a change of the plan (`done`: saved or reset) did not happen, for an error that
 * names no field: a 404 means the client is gone or no longer the caller's, a 403 a missing role
 * or second factor; anything else is the server's own message.
 */
export function changeRefused(err: unknown, done: 'saved' | 'reset'): string {
  const not = `The plan was not ${done}`;
  if (!(err instanceof ApiError)) return `${not}. Please try again.`;
  if (err.status === 404) return `${not}: this client was not found, or you may no longer change their plan.`;
  if (err.status === 403) return `${not}: you are not allowed to change it. ${err.message}`;
  return `${not}. ${err.message}`;
}

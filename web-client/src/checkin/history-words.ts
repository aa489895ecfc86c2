// A client's check-in prompts in words, for the therapist's "Check-ins" list. Pure, no DOM.

import type { CheckinItem, CheckinState, CheckinStateFilter } from '../protocol';
import { dateTime } from '../ui/time';

export const STATE_LABELS: Record<CheckinState, string> = {
  pending: 'Scheduled',
  delivered: 'Waiting for an answer',
  answered: 'Answered',
  missed: 'Missed',
  cancelled: 'Cancelled',
};

/** The list's filters: all, or one of listCheckins' states. */
export type HistoryFilter = 'all' | CheckinStateFilter;

export const FILTERS: { value: HistoryFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'missed', label: 'Missed' },
  { value: 'pending', label: 'Not answered yet' },
  { value: 'answered', label: 'Answered' },
];

/** "11 (Moderate)" for a scored answer, "Answered" for an unscored one, null before an answer. */
export function resultText(item: CheckinItem): string | null {
  if (item.state !== 'answered') return null;
  if (typeof item.total !== 'number') return 'Answered (not scored)';
  return item.bandLabel ? `${item.total} (${item.bandLabel})` : String(item.total);
}

/** What happened to the prompt after it was due, in the therapist's time zone; null when nothing yet. */
export function outcomeText(item: CheckinItem, timeZone: string): string | null {
  const at = (iso: string | undefined) => (iso ? dateTime(iso, timeZone) : null);
  switch (item.state) {
    case 'pending':
      return null;
    case 'delivered': {
      const sent = at(item.firstSentAt ?? item.deliveredAt);
      return `${sent ? `Sent ${sent}, open` : 'Open'} until ${dateTime(item.expiresAt, timeZone)}`;
    }
    case 'answered': {
      const answered = at(item.answeredAt);
      return answered ? `Answered ${answered}` : null;
    }
    case 'missed':
      return `Not answered; closed ${at(item.missedAt) ?? dateTime(item.expiresAt, timeZone)}`;
    case 'cancelled': {
      const cancelled = at(item.cancelledAt);
      return cancelled ? `Withdrawn ${cancelled}` : 'Withdrawn before it was sent';
    }
  }
}

/** "2 missed" for the badge beside the heading; "100+ missed" when the count was capped. */
export function missedBadge(count: number, capped: boolean): string | null {
  if (count === 0) return null;
  return capped ? `${count}+ missed` : `${count} missed`;
}

/** What an empty list says, by filter. */
export function emptyText(filter: HistoryFilter): string {
  switch (filter) {
    case 'all':
      return 'No check-ins yet. They are scheduled from the check-in plan once a dosing session is recorded.';
    case 'missed':
      return 'No missed check-ins.';
    case 'pending':
      return 'No check-ins waiting to be answered.';
    case 'answered':
      return 'No answered check-ins yet.';
    case 'cancelled':
      return 'No withdrawn check-ins.';
  }
}

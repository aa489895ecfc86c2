import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CrisisInfo } from '../protocol';
import { FakeChannel } from '../testing/fake-channel';
import { CrisisService } from './service';

const KEY = 'interlude.crisis.test';

function info(ref?: string): CrisisInfo {
  return {
    type: 'crisis.info',
    ref,
    incidentId: 'd4d4d4d4-0000-4000-8000-000000000004',
    severity: 'CRITICAL',
    lines: [{ name: '988 Suicide & Crisis Lifeline', contact: 'call or text 988' }],
    emergencyNumber: '911',
    staffedHours: 'Monday to Friday, 9:00 to 17:00',
    message: 'The on-call clinician has been notified',
  };
}

beforeEach(() => sessionStorage.clear());
afterEach(() => vi.useRealTimers());

describe('CrisisService', () => {
  it('holds a report made offline (even across a reload) and sends it on connect, once confirmed it is done', () => {
    const ch = new FakeChannel();
    new CrisisService(ch, KEY).report();
    const afterReload = new CrisisService(ch, KEY);
    expect(afterReload.state).toEqual({ kind: 'sending', connected: false });
    ch.connect([]);
    const [report] = ch.take('crisis.report');
    expect(report.clientReportId).toBe(sessionStorage.getItem(KEY));
    ch.server(info(report.ref));
    expect(afterReload.state.kind).toBe('notified');
    expect(sessionStorage.getItem(KEY)).toBeNull();
  });

  it('resends the same report until the server confirms it, telling the client to call meanwhile', () => {
    vi.useFakeTimers();
    const ch = new FakeChannel();
    ch.connect([]);
    const crisis = new CrisisService(ch, KEY);
    crisis.report();
    const [first] = ch.take('crisis.report');
    vi.advanceTimersByTime(10_000);
    expect(crisis.state.kind).toBe('no-answer');
    const [again] = ch.take('crisis.report');
    expect(again.clientReportId).toBe(first.clientReportId);
    ch.server(info(again.ref));
    vi.advanceTimersByTime(30_000);
    expect(ch.take('crisis.report')).toEqual([]);
  });

  it('shows who acknowledged the incident', () => {
    const ch = new FakeChannel();
    ch.connect([]);
    const crisis = new CrisisService(ch, KEY);
    ch.server(info());
    ch.server({ type: 'incident.status', incidentId: info().incidentId, state: 'acknowledged', acknowledgedBy: 'Casey Kim', at: new Date().toISOString(), message: 'Casey Kim has seen your message' });
    expect(crisis.state).toMatchObject({ kind: 'notified', status: { acknowledgedBy: 'Casey Kim' } });
  });
});

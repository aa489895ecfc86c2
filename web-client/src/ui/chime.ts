// A short generated tone for new alerts (Web Audio; no audio file to fetch). Browsers only let
// a page make sound after the user has interacted with it; signing in counts, and anything that
// still blocks it is ignored rather than breaking the alert.

import type { Severity } from '../protocol';

let context: AudioContext | null = null;

export function chime(severity: Severity): void {
  try {
    context ??= new AudioContext();
    const ctx = context;
    if (ctx.state === 'suspended') void ctx.resume();
    // Two rising notes; repeated for CRITICAL. Soft attack and release, so it is noticeable
    // without being harsh.
    const repeats = severity === 'CRITICAL' ? 3 : 1;
    const volume = severity === 'WATCH' ? 0.12 : 0.25;
    let t = ctx.currentTime + 0.05;
    for (let r = 0; r < repeats; r += 1) {
      for (const freq of [660, 880]) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'sine';
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0, t);
        gain.gain.linearRampToValueAtTime(volume, t + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.001, t + 0.35);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + 0.4);
        t += 0.22;
      }
      t += 0.3;
    }
  } catch {
    // No audio device or blocked: the visual and spoken announcements still happen.
  }
}

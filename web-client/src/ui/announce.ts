// Page-wide live regions. They exist from the start (a region added together with its text is
// often not announced) and sit outside any tab panel, so an alert arriving while another tab
// is shown is still spoken.

import { h } from './dom';

export class Announcer {
  readonly element: HTMLElement;
  private readonly polite: HTMLElement;
  private readonly assertive: HTMLElement;

  constructor() {
    this.polite = h('p', { 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.assertive = h('p', { 'aria-live': 'assertive', 'aria-atomic': 'true' });
    this.element = h('div', { class: 'sr-only' }, this.polite, this.assertive);
  }

  say(text: string, urgent = false): void {
    const region = urgent ? this.assertive : this.polite;
    // Clearing first makes a repeated identical message be announced again.
    region.textContent = '';
    window.setTimeout(() => (region.textContent = text), 50);
  }
}

// WAI-ARIA tabs: arrow keys, Home and End move between tabs; only the selected tab is in the
// tab order.

import { h, uid } from './dom';

export interface TabSpec {
  label: string;
  panel: HTMLElement;
}

export class Tabs {
  readonly element: HTMLElement;
  private readonly tabs: HTMLButtonElement[] = [];
  private readonly panels: HTMLElement[] = [];

  constructor(label: string, specs: TabSpec[]) {
    const list = h('div', { role: 'tablist', 'aria-label': label, class: 'tablist' });
    const panelBox = h('div', { class: 'tabpanels' });
    specs.forEach((s, i) => {
      const tabId = uid('tab');
      const panelId = uid('tabpanel');
      const tab = h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: tabId,
          'aria-controls': panelId,
          onclick: () => this.select(i),
          onkeydown: (e: Event) => this.onKey(e as KeyboardEvent, i),
        },
        s.label,
      );
      const panel = h('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, class: 'tabpanel' }, s.panel);
      this.tabs.push(tab);
      this.panels.push(panel);
      list.append(tab);
      panelBox.append(panel);
    });
    this.element = h('div', { class: 'tabs' }, list, panelBox);
    this.select(0, false);
  }

  /** Changes a tab's visible label (e.g. to show a count). */
  setLabel(index: number, text: string): void {
    this.tabs[index].textContent = text;
  }

  select(index: number, focus = true): void {
    this.tabs.forEach((t, i) => {
      const on = i === index;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
      this.panels[i].hidden = !on;
    });
    if (focus) this.tabs[index].focus();
  }

  private onKey(e: KeyboardEvent, i: number): void {
    const n = this.tabs.length;
    const target =
      e.key === 'ArrowRight' ? (i + 1) % n : e.key === 'ArrowLeft' ? (i - 1 + n) % n : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : -1;
    if (target < 0) return;
    e.preventDefault();
    this.select(target);
  }
}

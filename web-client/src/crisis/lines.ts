// Crisis lines by clinic country (shared/clinical-reference.md). They are part of the page so
// they show even when the server cannot be reached; when the server sends its own list with
// crisis.info, that list is shown instead.

export interface Action {
  text: string;
  href: string;
}

export interface Line {
  name: string;
  actions: Action[];
}

export interface CountryLines {
  lines: Line[];
  /** The emergency number, e.g. "911". */
  emergency: string;
}

const tel = (n: string): string => 'tel:' + n.replace(/[^0-9+]/g, '');
const sms = (n: string, body?: string): string => 'sms:' + n.replace(/[^0-9+]/g, '') + (body ? `?body=${body}` : '');

const BY_COUNTRY: Record<string, CountryLines> = {
  US: {
    lines: [
      {
        name: '988 Suicide & Crisis Lifeline',
        actions: [
          { text: 'Call 988', href: tel('988') },
          { text: 'Text 988', href: sms('988') },
        ],
      },
      { name: 'Crisis Text Line', actions: [{ text: 'Text HOME to 741741', href: sms('741741', 'HOME') }] },
    ],
    emergency: '911',
  },
  CA: {
    lines: [
      {
        name: '9-8-8 Suicide Crisis Helpline',
        actions: [
          { text: 'Call 9-8-8', href: tel('988') },
          { text: 'Text 9-8-8', href: sms('988') },
        ],
      },
    ],
    emergency: '911',
  },
  GB: {
    lines: [
      { name: 'Samaritans (free, 24/7)', actions: [{ text: 'Call 116 123', href: tel('116123') }] },
      { name: 'Shout', actions: [{ text: 'Text SHOUT to 85258', href: sms('85258', 'SHOUT') }] },
    ],
    emergency: '999',
  },
  AU: {
    lines: [
      {
        name: 'Lifeline',
        actions: [
          { text: 'Call 13 11 14', href: tel('131114') },
          { text: 'Text 0477 13 11 14', href: sms('0477131114') },
        ],
      },
    ],
    emergency: '000',
  },
};

/** The lines for a clinic's country; UK is accepted for GB. Unknown countries get none. */
export function linesFor(country: string): CountryLines | null {
  const c = country.toUpperCase();
  return BY_COUNTRY[c === 'UK' ? 'GB' : c] ?? null;
}

export function telHref(number: string): string {
  return tel(number);
}

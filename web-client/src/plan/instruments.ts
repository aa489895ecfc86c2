// Titles of the instruments in the server's bundled catalog (server/src/main/resources/instruments).
// The REST API names an instrument's title only where a result or prompt carries it (listCheckins,
// getTrends); a plan names instrument ids alone, so the dashboard needs this list to say a plan in
// words and to offer instruments in the plan editor. An id missing here is shown as the id.

export interface KnownInstrument {
  id: string;
  title: string;
  /** What it measures, shown beside the title in the editor. */
  about: string;
}

export const KNOWN_INSTRUMENTS: readonly KnownInstrument[] = [
  { id: 'phq9', title: 'PHQ-9', about: 'depression' },
  { id: 'gad7', title: 'GAD-7', about: 'anxiety' },
  { id: 'who5', title: 'WHO-5', about: 'well-being' },
  { id: 'pcl5', title: 'PCL-5', about: 'post-traumatic stress' },
  { id: 'pulse', title: 'Safety pulse', about: 'mood and a safety question' },
  { id: 'postdose', title: 'Post-dose check', about: 'how the client is after a dose' },
  { id: 'journal', title: 'Integration journal', about: 'free text' },
];

export function instrumentTitle(id: string): string {
  return KNOWN_INSTRUMENTS.find((i) => i.id === id)?.title ?? id;
}

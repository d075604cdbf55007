/** French names of the sources of places of help. */
const labels: Record<string, string> = {
  "lieux-mediation": "Lieu de médiation numérique",
  "france-services": "France Services",
  "aidants-connect": "Aidants Connect",
  "conseillers-numeriques": "Conseiller numérique"
};

export function sourceLabel(source: string): string {
  return labels[source] ?? source;
}

import { formatKm } from "./format.js";

/** French names of the sources of places of help. */
const labels: Record<string, string> = {
  "lieux-mediation": "Lieu de médiation numérique",
  "france-services": "France Services",
  "aidants-connect": "Aidants Connect",
  "conseillers-numeriques": "Conseiller numérique"
};

/** A territory's own list of places (`territoire-maine-et-loire`) is a list of lieux de médiation numérique. */
const TERRITOIRE = "territoire-";

export function sourceLabel(source: string): string {
  if (source.startsWith(TERRITOIRE)) return `Lieu de médiation numérique (liste « ${source.slice(TERRITOIRE.length)} »)`;
  return labels[source] ?? source;
}

/** What the fiche commune says of its nearest place of help (columns of `communes.json`). */
export interface NearestPlace {
  lieu_le_plus_proche?: string | null;
  distance_lieu_km?: number | null;
  lieu_le_plus_proche_dans_commune?: boolean | null;
  lieu_le_plus_proche_a_verifier?: string | null;
}

/**
 * « France services de Caylus, dans la commune » rather than « à 0,0 km » when the place is in the commune (the
 * distance is measured from the commune's representative point, and a place without coordinates sits on it);
 * a place whose record is doubtful says so, with the reason.
 */
export function nearestPlaceText(commune: NearestPlace | undefined, seuilKm: number): string {
  if (!commune?.lieu_le_plus_proche) return "Lieu d'aide le plus proche : —";
  const where = commune.lieu_le_plus_proche_dans_commune ? "dans la commune" : `à ${formatKm(commune.distance_lieu_km)}`;
  const beyond = typeof commune.distance_lieu_km === "number" && commune.distance_lieu_km > seuilKm ? ` : au-delà du seuil de ${seuilKm} km` : "";
  const doubt = commune.lieu_le_plus_proche_a_verifier ? ` (fiche du lieu à vérifier : ${commune.lieu_le_plus_proche_a_verifier})` : "";
  return `Lieu d'aide le plus proche : ${commune.lieu_le_plus_proche}, ${where}${beyond}${doubt}`;
}

/**
 * The eleven « besoins » an action can carry in the national tool Mon Inclusion Numérique (ANCT), labels as
 * published (DOMAIN.md §6). The feuille de route export and the fiches use these exact strings, so a département
 * can re-enter or import its actions.
 */
export const BESOINS = [
  "Animer et mettre en œuvre la gouvernance et la feuille de route",
  "Appui juridique dédié à la gouvernance",
  "Appuyer la certification Qualiopi de structures privées portant des formations à l'inclusion numérique",
  "Co-construire la feuille de route avec les membres",
  "Collecter des données territoriales pour alimenter un hub national",
  "Établir un diagnostic territorial",
  "Monter des dossiers de subvention complexes",
  "Rédiger la feuille de route",
  "Sensibiliser les acteurs de l'inclusion numérique aux outils existants",
  "Structurer un fonds local pour l'inclusion numérique",
  "Structurer une filière de reconditionnement locale"
] as const;

export type Besoin = (typeof BESOINS)[number];

export function isBesoin(label: string): label is Besoin {
  return (BESOINS as readonly string[]).includes(label);
}

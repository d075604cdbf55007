import type { Config } from "../../io/config.ts";
import type { Source } from "../source.ts";
import { aidantsConnect } from "./aidants-connect.ts";
import { arcepDeploiements } from "./arcep-deploiements.ts";
import { arcepEligibilite } from "./arcep-eligibilite.ts";
import { bibliotheques } from "./bibliotheques.ts";
import { conseillersNumeriques } from "./conseillers-numeriques.ts";
import { contours } from "./contours.ts";
import { dataforgood } from "./dataforgood.ts";
import { filosofi } from "./filosofi.ts";
import { ifn } from "./ifn.ts";
import { inseeRp } from "./insee-rp.ts";
import { franceServices } from "./france-services.ts";
import { lieuxMediation } from "./lieux-mediation.ts";
import { populations } from "./populations.ts";
import { referentiel } from "./referentiel.ts";
import { commandLinePair, territoires, territoiresSource } from "./territoires.ts";
import { typologies } from "./typologies.ts";

/**
 * Every source, each after the sources it needs (`after`): the referential first (it builds the COG mapping the
 * others use), the boundaries before the places that are located by point-in-polygon. A source starts as soon as
 * what it needs is loaded, so the outlines' geometry (in a worker thread) runs beside the statistical sources.
 */
export const sources: Source[] = [
  referentiel,
  populations,
  contours,
  typologies,
  filosofi,
  inseeRp,
  // Before the rates of communes merged since are combined (dataforgood, ifn): its premises per old code weight them.
  arcepDeploiements,
  dataforgood,
  ifn,
  arcepEligibilite,
  franceServices,
  aidantsConnect,
  conseillersNumeriques,
  bibliotheques,
  lieuxMediation,
  territoires
];

/** The sources of a run: the territories' reader also takes the lists given on the command line (`--lieux`). */
export function sourcesFor(config: Config): Source[] {
  if (config.territoires.length === 0) return sources;
  const reader = territoiresSource(config.territoires.map((t) => commandLinePair(t.lieux, t.correspondance)));
  return sources.map((s) => (s === territoires ? reader : s));
}

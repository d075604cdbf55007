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
import { typologies } from "./typologies.ts";

/**
 * Every source, in load order: the referential first (it builds the COG mapping the others use), the
 * boundaries before the places of help (places without an INSEE code are located by point-in-polygon).
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
  lieuxMediation,
  franceServices,
  aidantsConnect,
  conseillersNumeriques,
  bibliotheques
];

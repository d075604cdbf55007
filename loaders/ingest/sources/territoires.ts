import path from "node:path";
import { currentCodeOrQuarantine } from "../cog.ts";
import { isLambert93, lambert93ToWgs84 } from "../../io/geo.ts";
import type { Ledger } from "../../io/ledger.ts";
import type { Resource } from "../../io/resource.ts";
import { readText } from "../../io/text.ts";
import { normaliseCommuneCode, parseNumber } from "../../io/values.ts";
import { parseRecords, recordLines } from "../offre/json-records.ts";
import {
  checkCoordinates,
  cleanText,
  finishLieu,
  frenchOrIsoDate,
  insertLieuxAide,
  joinValues,
  logStats,
  normaliseSiret,
  OffreStats,
  placeWithoutCode,
  postalCodeAndCommune,
  prepareTerritoiresLieuxAide,
  readCommuneNames,
  readContoursIndex,
  safeUrlsWithBareDomains,
  TERRITOIRE_PREFIX,
  type CoordinateCheck,
  type LieuAide,
  type Placement
} from "../offre/places.ts";
import { mapRecord, parseTerritoireConfig, type MappedRecord, type TerritoireMapping } from "../offre/territoire-config.ts";
import type { OpenedResource, Source } from "../source.ts";

/**
 * The territories' own lists of places of help (départements, regional hubs), each a JSON array of records with
 * the correspondence file (`<name>.config.json`) that maps its columns to the standard of the lieux de médiation
 * numérique, as the Cartographie nationale imports them. One generic reader for every pair: those of the mirror's
 * `lieux-mediation-numerique/territoires/` folder (the four below, and any other pair dropped there) and those
 * given with `sdin load --lieux FICHIER --correspondance CONFIG`. Each list is its own source of places,
 * `territoire-<name>`; each record is placed in its commune (INSEE code, else the outline holding its point, else
 * its postal code and commune name) or quarantined with the reason.
 */

/** Mirror folder of the pairs, laid out like the Cartographie nationale's `assets/input/<name>/`. */
export const TERRITOIRES_FOLDER = "lieux-mediation-numerique/territoires";

/** The mednum-cli commit whose inputs the mirror holds (the files of each territory as sent to the ANCT). */
const MEDNUM_CLI = "https://raw.githubusercontent.com/anct-cartographie-nationale/mednum-cli/525661abbbbb02d2c0a0ea02cb3dbde7f6d79475/assets/input";

/** A territory's list and its correspondence file. */
export interface TerritoirePair {
  /** `la-creuse`: the source id is `territoire-la-creuse`. */
  name: string;
  data: Resource;
  config: Resource;
}

/** Territories known to have published their list (mednum-cli inputs); others are found in the mirror folder. */
// referenceDate: the start of the latest year the list describes; its correspondence file shares it.
const KNOWN: { name: string; title: string; vintage: string; referenceDate?: string }[] = [
  { name: "la-creuse", title: "Département de la Creuse", vintage: "Fichier de mars-avril 2023", referenceDate: "2023-04-01" },
  { name: "maine-et-loire", title: "Département de Maine-et-Loire", vintage: "Fichier de 2020-2023 (dates de mise à jour par lieu)", referenceDate: "2023-01-01" },
  { name: "gironde", title: "Département de la Gironde", vintage: "Fichier de 2019-2021 (dates de mise à jour par lieu)", referenceDate: "2021-01-01" },
  // Not dated: assumed no newer than the mednum-cli snapshot that holds the Creuse list of March-April 2023.
  { name: "corse", title: "Collectivité de Corse", vintage: "Fichier transmis à la Cartographie nationale (non daté)", referenceDate: "2023-04-01" }
];

const CORRESPONDANCE_SUFFIX = "-correspondance";

/**
 * The id of the list a territory file belongs to, for the list itself or its correspondence file (the places'
 * `source` in lieux_aide); null for a file of no territory's pair.
 */
export function territoireListId(fileId: string): string | null {
  if (!fileId.startsWith(TERRITOIRE_PREFIX)) return null;
  return fileId.endsWith(CORRESPONDANCE_SUFFIX) ? fileId.slice(0, -CORRESPONDANCE_SUFFIX.length) : fileId;
}

/** The resources of one territory's pair; `local` files (command line) are used as they are. */
export function territoirePair(
  name: string,
  { title = name, vintage = "non daté", referenceDate, local }: { title?: string; vintage?: string; referenceDate?: string; local?: { data: string; config: string } } = {}
): TerritoirePair {
  const common = {
    publisher: `${title}, via l'ANCT (outil mednum-cli de la Cartographie nationale)`,
    vintage,
    ...(referenceDate ? { referenceDate } : {}),
    licence: "MIT (dépôt anct-cartographie-nationale/mednum-cli)",
    format: "json" as const
  };
  return {
    name,
    data: {
      ...common,
      id: `${TERRITOIRE_PREFIX}${name}`,
      title: `Lieux de médiation numérique : liste territoriale « ${name} »`,
      url: local ? `file://${local.data}` : `${MEDNUM_CLI}/${name}/${name}.json`,
      path: `${TERRITOIRES_FOLDER}/${name}.json`,
      optional: !local,
      ...(local ? { local: local.data } : {})
    },
    config: {
      ...common,
      id: `${TERRITOIRE_PREFIX}${name}${CORRESPONDANCE_SUFFIX}`,
      title: `Correspondance des colonnes de la liste « ${name} » avec le standard des lieux de médiation numérique`,
      url: local ? `file://${local.config}` : `${MEDNUM_CLI}/${name}/${name}.config.json`,
      path: `${TERRITOIRES_FOLDER}/${name}.config.json`,
      optional: !local,
      ...(local ? { local: local.config } : {})
    }
  };
}

/** The pair given on the command line: its name is the list's file name without `.json`. */
export function commandLinePair(dataFile: string, configFile: string): TerritoirePair {
  const name = path.basename(dataFile).replace(/\.json$/i, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  if (!name) throw new Error(`nom de fichier de lieux inutilisable : "${dataFile}"`);
  return territoirePair(name, { title: `Liste « ${name} » (ligne de commande)`, vintage: "fichier fourni par l'utilisateur", local: { data: path.resolve(dataFile), config: path.resolve(configFile) } });
}

const knownPairs = KNOWN.map((k) => territoirePair(k.name, k));

/** Keys of the config whose columns must exist in the list: without them no record can be named or placed. */
const PLACING_FIELDS = ["id", "nom", "code_insee", "commune", "code_postal", "adresse", "latitude", "longitude"] as const;

/**
 * The source reading every territory's list. `extra` are the pairs of the command line, loaded after the
 * mirror's (a command-line pair with the name of a mirror pair replaces it).
 */
export function territoiresSource(extra: TerritoirePair[] = []): Source {
  const source: Source = {
    id: "territoires",
    title: "Lieux de médiation numérique des territoires (listes locales et leur correspondance)",
    // Places are located in the outlines; appends to `lieux_aide` after the other offer sources.
    after: ["contours", "lieux-mediation"],
    resources: [...knownPairs.flatMap((p) => [p.data, p.config]), ...extra.flatMap((p) => [p.data, p.config])],
    async load(context) {
      const found = (await context.listMirror(TERRITOIRES_FOLDER, /\.config\.json$/)).map((p) => path.posix.basename(p).replace(/\.config\.json$/, ""));
      const byName = new Map(knownPairs.map((p) => [p.name, p]));
      for (const name of found) if (!byName.has(name)) byName.set(name, territoirePair(name));
      for (const pair of extra) byName.set(pair.name, pair);
      await prepareTerritoiresLieuxAide(context.connection);
      const placement: Placement = {
        cog: context.cog,
        names: await readCommuneNames(context.connection),
        outlines: await readContoursIndex(context),
        stats: new OffreStats(),
        seenIds: new Set()
      };
      if (!placement.outlines) context.log("  table contours absente : lieux placés par le nom de leur commune");
      const lists = (await context.listMirror(TERRITOIRES_FOLDER, /\.json$/)).map((p) => path.posix.basename(p)).filter((f) => !f.endsWith(".config.json"));
      for (const file of lists) {
        if (!byName.has(file.replace(/\.json$/, ""))) context.log(`  ${file} ignoré : pas de fichier de correspondance ${file.replace(/\.json$/, ".config.json")} à côté`);
      }
      for (const pair of [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        // The correspondence first: without it a list cannot be read (and is not opened).
        const config = await context.open(pair.config);
        if (!config) continue;
        const mapping = await readMapping(config, pair);
        const data = await context.open(pair.data);
        if (!data) continue;
        const stats = new OffreStats();
        const { text } = await readText(data.acquired.file, pair.data.id);
        const rows = territoireToLieux(text, data.ledger, mapping, pair.name, { ...placement, stats, seenIds: new Set() });
        await insertLieuxAide(context.connection, rows);
        logStats(context, data.name, stats);
      }
    }
  };
  return source;
}

/** The source with the mirror's pairs only (the default of `sdin load`). */
export const territoires = territoiresSource();

/**
 * Reads a correspondence file. Each rule counts as one row of the file in its ledger (all loaded: a rule that
 * cannot be understood fails the load, naming the file and the key).
 */
async function readMapping(config: OpenedResource, pair: TerritoirePair): Promise<TerritoireMapping> {
  const { text } = await readText(config.acquired.file, pair.config.id);
  const mapping = parseTerritoireConfig(text, { source: config.ledger.source, file: config.name });
  const rules = Object.keys(mapping.fields).length + Object.keys(mapping.choices).length + (mapping.horaires ? 1 : 0);
  config.ledger.read(rules);
  config.ledger.loaded(rules);
  return mapping;
}

/**
 * Turns a territory's records into `lieux_aide` rows with its mapping. A record that is not an object, has no
 * name, or cannot be placed in a commune is quarantined with the reason and its line.
 */
export function territoireToLieux(text: string, ledger: Ledger, mapping: TerritoireMapping, name: string, placement: Placement): LieuAide[] {
  const required = PLACING_FIELDS.flatMap((f) => {
    const rule = mapping.fields[f];
    return rule?.kind === "colonne" ? rule.colonnes : rule?.kind === "joindre" ? rule.colonnes : rule?.kind === "dissocier" ? [rule.colonne] : [];
  });
  const records = parseRecords(text, ledger, [...new Set(required)]);
  const lines = recordLines(text);
  const rows: LieuAide[] = [];
  records.forEach((record, i) => {
    ledger.read();
    const line = lines[i] ?? i + 1;
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      ledger.quarantine(line, null, JSON.stringify(record), "enregistrement qui n'est pas un objet JSON");
      return;
    }
    const row = territoireRow(mapRecord(record as Record<string, unknown>, mapping), name, line, ledger, placement);
    if (row) rows.push(row);
  });
  return rows;
}

function territoireRow(mapped: MappedRecord, name: string, line: number, ledger: Ledger, placement: Placement): LieuAide | null {
  const { fields, choices } = mapped;
  const coordinates = coordinatesOf(fields.latitude, fields.longitude);
  const code = placeRecord(mapped, coordinates, line, ledger, placement);
  if (code === undefined) return null; // quarantined by the COG look-up
  const source = `${TERRITOIRE_PREFIX}${name}` as const;
  return finishLieu(
    {
      id: `${source}:${cleanText(fields.id) ?? `ligne-${line}`}`,
      nom: cleanText(fields.nom),
      code_insee: code,
      adresse: joinValues([cleanText(fields.adresse), cleanText(fields.complement_adresse)])?.replace("|", ", ") ?? null,
      coordinates,
      typologie: joinValues(choices.typologie ?? []),
      services: joinValues(choices.services ?? []),
      publics: joinValues([...(choices.publics_specifiquement_adresses ?? []), ...(choices.prise_en_charge_specifique ?? [])]),
      dispositifs: joinValues(choices.dispositif_programmes_nationaux ?? []),
      // `semaine` hours are free text ("Les mardi et jeudi de 8h30 à 17h00"), stored as published; `osm` ones as well.
      horaires: mapped.horaires,
      itinerance: choices.itinerance?.includes("Itinérant") ? true : choices.itinerance?.includes("Fixe") ? false : null,
      site_web: safeUrlsWithBareDomains(fields.site_web),
      date_maj: frenchOrIsoDate(fields.date_maj),
      siret: normaliseSiret(fields.pivot)
    },
    source,
    { ledger, line, seenIds: placement.seenIds, stats: placement.stats }
  );
}

/**
 * The record's commune: its INSEE code (re-keyed on the current COG), else the outline holding its point, else
 * its postal code and commune name (read from the end of the address when the file has no column for them).
 * Undefined when a given INSEE code is unknown (quarantined here); null when nothing places it.
 */
function placeRecord(mapped: MappedRecord, coordinates: CoordinateCheck, line: number, ledger: Ledger, placement: Placement): string | null | undefined {
  const { fields } = mapped;
  const rawCode = fields.code_insee?.trim();
  if (rawCode) return currentCodeOrQuarantine(placement.cog, normaliseCommuneCode(rawCode), rawCode, ledger, line, "code_insee") ?? undefined;
  const fromAddress = fields.commune && fields.code_postal ? null : postalCodeAndCommune(cleanText(fields.adresse));
  const postalCode = fields.code_postal ?? fromAddress?.code_postal ?? null;
  return placeWithoutCode(coordinates, fields.commune ?? fromAddress?.commune ?? null, postalCode?.padStart(5, "0") ?? null, placement);
}

/**
 * Coordinates as published, in degrees or in Lambert-93 metres (`x`/`y` of GIS exports, decimal commas included):
 * a pair in Lambert-93's extent is projected to WGS84 before the usual checks.
 */
export function coordinatesOf(latitude: string | undefined, longitude: string | undefined): CoordinateCheck {
  const lat = parseNumber(latitude ?? null);
  const lon = parseNumber(longitude ?? null);
  if (lat !== null && lon !== null && Number.isFinite(lat) && Number.isFinite(lon)) {
    // In Lambert-93 the northing (y, 6-7 million) is always larger than the easting: whichever column holds it.
    const [x, y] = lat > lon ? [lon, lat] : [lat, lon];
    if (isLambert93(x, y)) {
      const [wgsLon, wgsLat] = lambert93ToWgs84(x, y);
      return checkCoordinates(wgsLat, wgsLon);
    }
  }
  return checkCoordinates(lat, lon);
}

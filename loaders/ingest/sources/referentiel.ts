import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { CogIndex, type CogMove } from "../cog.ts";
import { createTable, insertRows, type TableSpec } from "../../io/db.ts";
import type { Resource } from "../../io/resource.ts";
import type { LoadContext, Source } from "../source.ts";
import { readCsv, readText } from "../../io/text.ts";

/**
 * Communes, EPCI, départements and régions of the current COG, from `@etalab/decoupage-administratif`
 * (a versioned npm package: the referential travels with the code), and INSEE's COG files to re-key
 * older vintages to today's communes.
 */
const require = createRequire(import.meta.url);
const packageDir = require.resolve("@etalab/decoupage-administratif/package.json").replace(/package\.json$/, "");
const packageVersion: string = require("@etalab/decoupage-administratif/package.json").version;

const cogCommunes: Resource = {
  id: "insee-cog-communes",
  title: "INSEE, Code officiel géographique : communes",
  publisher: "INSEE",
  url: "https://www.insee.fr/fr/statistiques/fichier/8740222/v_commune_2026.csv",
  path: "insee-cog-2026/communes.csv",
  vintage: "COG 2026",
  referenceDate: "2026-01-01",
  urlConfirmedBy: "https://www.insee.fr/fr/information/8740222 (page du COG 2026)",
  format: "csv",
  licence: "Licence Ouverte 2.0"
};

const cogMouvements: Resource = {
  id: "insee-cog-mouvements",
  title: "INSEE, Code officiel géographique : mouvements des communes depuis 1943",
  publisher: "INSEE",
  url: "https://www.insee.fr/fr/statistiques/fichier/8740222/v_mvt_commune_2026.csv",
  path: "insee-cog-2026/mouvements-communes.csv",
  vintage: "COG 2026",
  referenceDate: "2026-01-01",
  urlConfirmedBy: "https://www.insee.fr/fr/information/8740222 (page du COG 2026)",
  format: "csv",
  licence: "Licence Ouverte 2.0"
};

const decoupage: Resource = {
  id: "etalab-decoupage-administratif",
  title: "Découpage administratif : communes (actuelles, déléguées, associées, arrondissements), paquet npm @etalab/decoupage-administratif",
  publisher: "Etalab / INSEE / DGCL",
  url: `https://www.npmjs.com/package/@etalab/decoupage-administratif/v/${packageVersion}`,
  path: "",
  local: `${packageDir}data/communes.json`,
  vintage: `COG 2026, EPCI 2026 (paquet ${packageVersion})`,
  referenceDate: "2026-01-01",
  urlConfirmedBy: "registre npm (paquet installé)",
  format: "json",
  licence: "Licence Ouverte 2.0"
};

/**
 * The package's other files the referential reads, each recorded in the provenance beside `communes.json` (its
 * checksum, its rows loaded or set aside): the `epci`, `departements` and `regions` tables come from them.
 */
function packageFile(name: string, what: string): Resource {
  return { ...decoupage, id: `etalab-decoupage-administratif-${name.replace(/\.json$/, "")}`, title: `Découpage administratif : ${what}, paquet npm @etalab/decoupage-administratif`, local: `${packageDir}data/${name}` };
}

const decoupageEpci = packageFile("epci.json", "EPCI à fiscalité propre et leurs communes membres");
const decoupageDepartements = packageFile("departements.json", "départements");
const decoupageRegions = packageFile("regions.json", "régions");

export const communesTable: TableSpec = {
  name: "communes",
  columns: {
    code_insee: "VARCHAR",
    nom: "VARCHAR",
    code_departement: "VARCHAR",
    code_region: "VARCHAR",
    epci_siren: "VARCHAR",
    siren_commune: "VARCHAR",
    population: "INTEGER"
  },
  primaryKey: ["code_insee"]
};

export const epciTable: TableSpec = {
  name: "epci",
  columns: { epci_siren: "VARCHAR", nom: "VARCHAR", nature: "VARCHAR", mode_financement: "VARCHAR", population: "INTEGER" },
  primaryKey: ["epci_siren"]
};

export const departementsTable: TableSpec = {
  name: "departements",
  columns: { code_departement: "VARCHAR", code_region: "VARCHAR", nom: "VARCHAR", chef_lieu: "VARCHAR" },
  primaryKey: ["code_departement"]
};

export const regionsTable: TableSpec = {
  name: "regions",
  columns: { code_region: "VARCHAR", nom: "VARCHAR" },
  primaryKey: ["code_region"]
};

export const cogPassageTable: TableSpec = {
  name: "cog_passage",
  columns: { code_ancien: "VARCHAR", code_insee: "VARCHAR" },
  primaryKey: ["code_ancien"]
};

interface PackageCommune {
  code: string;
  nom: string;
  type: string;
  departement: string;
  region: string;
  siren?: string;
  population?: number;
  chefLieu?: string;
  commune?: string;
}
interface PackageEpci {
  code: string;
  nom: string;
  type: string;
  modeFinancement: string;
  populationMunicipale?: number;
  membres: { code: string }[];
}
interface PackageArea {
  code: string;
  nom: string;
  region?: string;
  chefLieu?: string;
  zone?: string;
}

/** Départements and régions of France (the overseas collectivities 975, 977, 978, 98x are outside the scope). */
function inScope(departement: string): boolean {
  return !/^(975|977|978|98)/.test(departement);
}

/** The rows of one of the package's files, read where its resource says it is (`local`). */
async function readPackageJson<T>(resource: Resource): Promise<T[]> {
  return JSON.parse(await readFile(resource.local!, "utf8")) as T[];
}

export const referentiel: Source = {
  id: "referentiel",
  title: "Référentiel communes, EPCI, départements, régions (COG)",
  resources: [decoupage, decoupageEpci, decoupageDepartements, decoupageRegions, cogCommunes, cogMouvements],
  async load(context) {
    // Read side by side: each file's reading overlaps the parsing of the others.
    const [packageCommunes, epcis, packageDepartements, packageRegions] = await Promise.all([
      readPackageJson<PackageCommune>(decoupage),
      readPackageJson<PackageEpci>(decoupageEpci),
      readPackageJson<PackageArea>(decoupageDepartements),
      readPackageJson<PackageArea>(decoupageRegions)
    ]);
    const departements = packageDepartements.filter((d) => inScope(d.code));
    const regions = packageRegions.filter((r) => r.zone !== "com");
    const current = packageCommunes.filter((c) => c.type === "commune-actuelle" && inScope(c.departement));
    const epciOf = new Map<string, string>();
    for (const epci of epcis) for (const member of epci.membres) epciOf.set(member.code, epci.code);

    await createTable(context.connection, communesTable);
    await insertRows(context.connection, communesTable, current.map((c) => ({
      code_insee: c.code, nom: c.nom, code_departement: c.departement, code_region: c.region,
      epci_siren: epciOf.get(c.code) ?? null, siren_commune: c.siren ?? null, population: c.population ?? null
    })));
    await createTable(context.connection, epciTable);
    await insertRows(context.connection, epciTable, epcis.map((e) => ({
      epci_siren: e.code, nom: e.nom, nature: e.type, mode_financement: e.modeFinancement, population: e.populationMunicipale ?? null
    })));
    await createTable(context.connection, departementsTable);
    await insertRows(context.connection, departementsTable, departements.map((d) => ({
      code_departement: d.code, code_region: d.region ?? null, nom: d.nom, chef_lieu: d.chefLieu ?? null
    })));
    await createTable(context.connection, regionsTable);
    await insertRows(context.connection, regionsTable, regions.map((r) => ({ code_region: r.code, nom: r.nom })));
    await countPackageRows(context, decoupage, packageCommunes.map((c) => (inScope(c.departement) ? null : ["departement", c.departement])));
    await countPackageRows(context, decoupageEpci, epcis.map(() => null));
    await countPackageRows(context, decoupageDepartements, packageDepartements.map((d) => (inScope(d.code) ? null : ["code", d.code])));
    await countPackageRows(context, decoupageRegions, packageRegions.map((r) => (r.zone !== "com" ? null : ["zone", r.zone])));

    const parents: [string, string][] = packageCommunes
      .filter((c) => c.type !== "commune-actuelle")
      .map((c) => [c.code, (c.chefLieu ?? c.commune)!] as [string, string])
      .filter(([, parent]) => parent);
    const cog = await readCog(context, parents);
    context.cog = new CogIndex(current.map((c) => c.code), cog.parents, cog.moves);
    await createTable(context.connection, cogPassageTable);
    await insertRows(context.connection, cogPassageTable, [...context.cog.pairs()].map(([code_ancien, code_insee]) => ({ code_ancien, code_insee })));
  }
};

/**
 * The package is a dependency, not a download, but each of its files is recorded in the provenance like any file:
 * every row counted in its ledger, loaded (current communes go to `communes`, the others — déléguées, associées,
 * arrondissements — to `cog_passage`), or quarantined when `outside` names the column (and value) that puts it outside
 * the départemental scope (the overseas collectivities: their communes, départements and régions).
 */
async function countPackageRows(context: LoadContext, resource: Resource, outside: ([string, string | undefined] | null)[]): Promise<void> {
  const opened = await context.open(resource);
  if (!opened) return;
  outside.forEach((cause, i) => {
    opened.ledger.read();
    if (cause) opened.ledger.quarantine(i + 1, cause[0], cause[1] ?? null, "collectivité d'outre-mer hors du champ départemental");
    else opened.ledger.loaded();
  });
}

/** Reads COG parents (délégué → parent) and movements; without the COG files, falls back to the package's parents only. */
async function readCog(context: LoadContext, packageParents: [string, string][]): Promise<{ parents: [string, string][]; moves: CogMove[] }> {
  const parents = [...packageParents];
  const moves: CogMove[] = [];
  const communes = await context.open(cogCommunes);
  if (communes) {
    const { text } = await readText(communes.acquired.file, "referentiel");
    let rows = 0;
    readCsv(text, communes.ledger, { delimiter: ",", required: ["TYPECOM", "COM", "COMPARENT"] }).forEach(({ values }) => {
      rows++;
      if (values.COMPARENT) parents.push([values.COM, values.COMPARENT]);
    });
    communes.ledger.loaded(rows);
  }
  const mouvements = await context.open(cogMouvements);
  if (mouvements) {
    const { text } = await readText(mouvements.acquired.file, "referentiel");
    let rows = 0;
    readCsv(text, mouvements.ledger, { delimiter: ",", required: ["MOD", "DATE_EFF", "COM_AV", "TYPECOM_AP", "COM_AP"] }).forEach(({ values }) => {
      rows++;
      if (values.TYPECOM_AP === "COM") moves.push({ date: values.DATE_EFF, from: values.COM_AV, to: values.COM_AP, mod: values.MOD });
    });
    mouvements.ledger.loaded(rows);
  }
  return { parents, moves };
}

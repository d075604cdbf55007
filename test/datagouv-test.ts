import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dataGouvApi, pickResource, resolveDataGouv, type DataGouvResource } from "../loaders/io/datagouv.ts";
import { acquire, type AcquireOptions } from "../loaders/io/fetch.ts";
import type { Resource } from "../loaders/io/resource.ts";
import { deploiementsWorkbookResource } from "../loaders/ingest/sources/arcep-deploiements.ts";
import { closedPort, startServer, type FaultServer } from "./faults/server.ts";
import { tempDir } from "./helpers.ts";

/**
 * data.gouv.fr resolution against a local server on 127.0.0.1 that answers `GET /api/1/datasets/{slug}/` the
 * way the documented API does (a dataset with its `resources`: title, url, format, last_modified, checksum,
 * filesize) and serves the files those resources point to. The dataset evolves between tests: a newer quarter
 * is published, a file is renamed, the API goes down, a checksum is wrong.
 */
const SLUG = "le-marche-du-haut-et-tres-haut-debit-fixe-deploiements";
const T2 = "Code commune;Locaux\n23096;8262\n";
const T3 = "Code commune;Locaux\n23096;8301\n";
const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

/** The resource under test: the real declaration's rule, with the pinned URL pointing at the local server. */
let resource: Resource;
let server: FaultServer;
let dataset: { id: string; slug: string; resources: DataGouvResource[] };
let apiUp = true;

function entry(title: string, file: string, lastModified: string, body: string, checksum = sha1(body)): DataGouvResource {
  return {
    id: `id-${file}`,
    title,
    url: server.url(`/files/${file}`),
    format: "xlsx",
    last_modified: lastModified,
    checksum: { type: "sha1", value: checksum },
    filesize: Buffer.byteLength(body)
  };
}

const files = new Map<string, string>();
const serveFile = (name: string) => (_: unknown, response: ServerResponse) => response.writeHead(200, { "content-type": "application/octet-stream" }).end(files.get(name));

beforeAll(async () => {
  files.set("2025t2-obs-hd-thd-deploiement.xlsx", T2);
  files.set("2025t3-obs-hd-thd-deploiement-vf.xlsx", T3);
  files.set("2025t3-obs-hd-thd-deploiement-v2.xlsx", T3);
  server = await startServer({
    [`/api/1/datasets/${SLUG}/`]: (_request, response) => {
      if (!apiUp) return response.writeHead(503).end("maintenance");
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(dataset));
    },
    "/files/2025t2-obs-hd-thd-deploiement.xlsx": serveFile("2025t2-obs-hd-thd-deploiement.xlsx"),
    "/files/2025t3-obs-hd-thd-deploiement-vf.xlsx": serveFile("2025t3-obs-hd-thd-deploiement-vf.xlsx"),
    "/files/2025t3-obs-hd-thd-deploiement-v2.xlsx": serveFile("2025t3-obs-hd-thd-deploiement-v2.xlsx")
  });
  resource = { ...deploiementsWorkbookResource, url: server.url("/files/2025t2-obs-hd-thd-deploiement.xlsx"), optional: false };
});
afterAll(() => server?.close());

let rawDir: string;
let options: AcquireOptions;
beforeEach(() => {
  apiUp = true;
  rawDir = tempDir("sdin-datagouv-");
  options = { mirror: null, rawDir, retries: 0, backoffMs: 1, progress: false, datagouvApi: server.url("/api/1") };
  dataset = {
    id: "5d1e4e5f8b4c41179ac5ec9d",
    slug: SLUG,
    resources: [
      { ...entry("Observatoire HD/THD, T2 2025 (méthodologie)", "2025t2-methodo.pdf", "2025-09-10T10:00:00", ""), format: "pdf" },
      entry("Observatoire HD/THD, déploiements, T2 2025", "2025t2-obs-hd-thd-deploiement.xlsx", "2025-09-10T10:00:00", T2)
    ]
  };
});

const published = (title: string, file: string, lastModified: string, body: string) => dataset.resources.unshift(entry(title, file, lastModified, body));

describe("the data.gouv.fr API base", () => {
  it("is data.gouv.fr unless SDIN_DATAGOUV_API says otherwise", () => {
    expect(dataGouvApi({})).toBe("https://www.data.gouv.fr/api/1");
    expect(dataGouvApi({ SDIN_DATAGOUV_API: "http://127.0.0.1:9/api/1/" })).toBe("http://127.0.0.1:9/api/1");
  });
});

describe("pickResource", () => {
  it("takes the newest matching resource by last_modified, whatever the order of the list", () => {
    const resources: DataGouvResource[] = [
      { title: "a", url: "https://x/2024t4-obs-hd-thd-deploiement.xlsx", format: "xlsx", last_modified: "2025-03-01T00:00:00" },
      { title: "b", url: "https://x/2025t1-obs-hd-thd-deploiement.xlsx", format: "xlsx", last_modified: "2025-06-01T00:00:00" },
      { title: "c", url: "https://x/2025t2-obs-hd-thd-deploiement.csv", format: "csv", last_modified: "2025-09-01T00:00:00" }
    ];
    expect(pickResource(resources, deploiementsWorkbookResource.datagouv!.match)?.title).toBe("b");
    expect(pickResource(resources, { title: "A" })?.title).toBe("a");
    expect(pickResource(resources, { format: "ods" })).toBeNull();
  });
});

describe("sdin fetch resolves data.gouv.fr resources", () => {
  it("downloads the newest matching file and records url, last_modified and checksum", async () => {
    const got = await acquire(resource, options);
    expect(readFileSync(got.file, "utf8")).toBe(T2);
    expect(got.resolution).toEqual({
      method: "API data.gouv.fr",
      url: server.url("/files/2025t2-obs-hd-thd-deploiement.xlsx"),
      title: "Observatoire HD/THD, déploiements, T2 2025",
      last_modified: "2025-09-10T10:00:00",
      checksum: { type: "sha1", value: sha1(T2) }
    });
  });

  it("picks a newer resource when one appears, replacing the cached file", async () => {
    await acquire(resource, options);
    published("Observatoire HD/THD, déploiements, T3 2025", "2025t3-obs-hd-thd-deploiement-vf.xlsx", "2025-12-09T16:41:40", T3);
    const got = await acquire(resource, options);
    expect(readFileSync(got.file, "utf8")).toBe(T3);
    expect(got.resolution?.url).toBe(server.url("/files/2025t3-obs-hd-thd-deploiement-vf.xlsx"));
    expect(got.resolution?.last_modified).toBe("2025-12-09T16:41:40");
  });

  it("still finds a renamed resource that the rule matches (new title and file name)", async () => {
    published("Déploiements FttH, 3e trimestre 2025 (version corrigée)", "2025t3-obs-hd-thd-deploiement-v2.xlsx", "2025-12-20T09:00:00", T3);
    const got = await acquire(resource, options);
    expect(got.resolution?.title).toBe("Déploiements FttH, 3e trimestre 2025 (version corrigée)");
    expect(readFileSync(got.file, "utf8")).toBe(T3);
  });

  it("says clearly when no resource matches the rule any more, and falls back to the pinned URL", async () => {
    dataset.resources = [{ ...entry("Données T3 2025", "deploiements.ods", "2025-12-09T16:41:40", T3), format: "ods" }];
    await expect(resolveDataGouv(resource, { api: options.datagouvApi })).rejects.toThrow(
      /arcep-deploiements-xlsx : aucune ressource du jeu data.gouv.fr le-marche-du-haut-et-tres-haut-debit-fixe-deploiements ne correspond à la règle .*« Données T3 2025 » \(deploiements.ods\)/
    );
    const got = await acquire(resource, options);
    expect(got.resolution?.method).toMatch(/^url figée \(.*aucune ressource/);
    expect(readFileSync(got.file, "utf8")).toBe(T2);
  });

  it("uses the pinned URL when the API is down, and says so", async () => {
    apiUp = false;
    const got = await acquire(resource, options);
    expect(got.resolution?.method).toMatch(/^url figée \(API injoignable : .*HTTP 503\)$/);
    expect(got.resolution?.url).toBe(resource.url);
    expect(readFileSync(got.file, "utf8")).toBe(T2);
  });

  it("uses the pinned URL when nothing listens at the API address", async () => {
    const got = await acquire(resource, { ...options, datagouvApi: `http://127.0.0.1:${await closedPort()}/api/1` });
    expect(got.resolution?.method).toMatch(/^url figée \(API injoignable : .*ECONNREFUSED/);
    expect(readFileSync(got.file, "utf8")).toBe(T2);
  });

  it("keeps the cached file when the API is down later, and says the file comes from the cache", async () => {
    await acquire(resource, options);
    apiUp = false;
    const got = await acquire(resource, options);
    expect(got.resolution?.method).toMatch(/API injoignable.*fichier déjà en cache$/);
    expect(got.resolution?.last_modified).toBe("2025-09-10T10:00:00");
  });

  it("fails on a checksum mismatch, naming the resource, and replaces nothing", async () => {
    const first = await acquire(resource, options);
    const sidecar = readFileSync(`${first.file}.source.json`, "utf8");
    dataset.resources.unshift({ ...entry("Observatoire HD/THD, déploiements, T3 2025", "2025t3-obs-hd-thd-deploiement-vf.xlsx", "2025-12-09T16:41:40", T3), checksum: { type: "sha1", value: sha1("autre contenu") } });
    await expect(acquire(resource, options)).rejects.toThrow(
      new RegExp(`empreinte sha1 inattendue pour arcep-deploiements-xlsx .*${sha1(T3)} au lieu de ${sha1("autre contenu")}`)
    );
    expect(readFileSync(first.file, "utf8")).toBe(T2);
    expect(readFileSync(`${first.file}.source.json`, "utf8")).toBe(sidecar);
    expect(readdirSync(path.dirname(first.file)).filter((n) => n.includes(".part-"))).toEqual([]);
  });

  it("never calls the API with a mirror", async () => {
    const mirror = tempDir("sdin-datagouv-mirror-");
    mkdirSync(path.join(mirror, path.dirname(resource.path)), { recursive: true });
    writeFileSync(path.join(mirror, resource.path), T2);
    const before = server.hits(`/api/1/datasets/${SLUG}/`);
    const got = await acquire(resource, { ...options, mirror });
    expect(got.resolution).toBeUndefined();
    expect(server.hits(`/api/1/datasets/${SLUG}/`)).toBe(before);
    expect(existsSync(path.join(rawDir, resource.path))).toBe(false);
  });
});

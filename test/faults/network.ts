import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { NoDataAccessError } from "../../loaders/io/errors.ts";
import { acquire, download, MissingResourceError, type AcquireOptions } from "../../loaders/io/fetch.ts";
import type { Resource } from "../../loaders/io/resource.ts";
import { faultDir } from "./tmp.ts";
import { fault } from "./harness.ts";
import { closedPort, startServer, type FaultServer } from "./server.ts";

/** Network faults against a local server, through download() and acquire() with small timeouts and backoff. */
const BODY = "REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;Commune;PMUN;PCAP;PTOT\r\n75;Nouvelle-Aquitaine;23;2;;096;23096;Guéret;12955;629;13584\r\n";
const SHA = createHash("sha256").update(BODY).digest("hex");
const RETRIES = 2;
/** Small retries and backoff; a short timeout only where the fault is a timeout, so a busy machine cannot fail the others. */
const fast = (rawDir: string, timeoutMs = 10_000): AcquireOptions => ({ mirror: null, rawDir, timeoutMs, retries: RETRIES, backoffMs: 10, progress: false });

export function resource(url: string, extra: Partial<Resource> = {}): Resource {
  return {
    id: "test-populations", title: "populations (test)", publisher: "INSEE", url, path: "insee-populations-legales/donnees_communes.csv",
    vintage: "test", format: "csv", licence: "Licence Ouverte 2.0", ...extra
  };
}

/** The download failed cleanly: no target, no partial file left beside it. */
function expectNothingWritten(target: string): void {
  expect(existsSync(target)).toBe(false);
  expect(readdirSync(path.dirname(target)).filter((n) => n.includes(".part-"))).toEqual([]);
}

async function failure(run: Promise<unknown>): Promise<Error> {
  return run.then(
    () => {
      throw new Error("the download should have failed");
    },
    (error: Error) => error
  );
}

describe("network (local server on 127.0.0.1)", () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startServer({
      "/ok": (_q, s) => s.writeHead(200, { "content-length": Buffer.byteLength(BODY) }).end(BODY),
      "/silent": () => {}, // accepts the request, never answers
      "/stall": (_q, s) => {
        s.writeHead(200, { "content-length": Buffer.byteLength(BODY) });
        s.write(BODY.slice(0, 20)); // then nothing
      },
      "/missing": (_q, s) => s.writeHead(404, { "content-type": "text/html" }).end("<html><body>Not Found</body></html>"),
      "/error": (_q, s) => s.writeHead(500).end("Internal Server Error"),
      "/flaky": (_q, s, hit) => (hit === 1 ? s.writeHead(503).end() : s.writeHead(200, { "content-length": Buffer.byteLength(BODY) }).end(BODY)),
      "/reset": (_q, s) => {
        s.writeHead(200, { "content-length": 10_000 });
        s.write(BODY, () => s.socket?.destroy());
      },
      "/tampered": (_q, s) => s.end(BODY.replace("12955", "12956")),
      "/portal": (_q, s) => s.writeHead(200, { "content-type": "text/html" }).end("<!DOCTYPE html>\n<html><body>Connexion requise</body></html>"),
      "/loop-a": (_q, s) => s.writeHead(302, { location: "/loop-b" }).end(),
      "/loop-b": (_q, s) => s.writeHead(302, { location: "/loop-a" }).end()
    });
  });
  afterAll(() => server.close());

  const target = () => path.join(faultDir("sdin-fault-raw-"), "donnees_communes.csv");

  fault("network", "server accepts the connection and never answers (timeout)", async () => {
    const file = target();
    const error = await failure(download(server.url("/silent"), file, fast(path.dirname(file), 300)));
    expect(error.message).toMatch(new RegExp(`^échec du téléchargement de ${escape(server.url("/silent"))} après ${RETRIES + 1} essais : .*(timeout|aborted)`, "i"));
    expect(server.hits("/silent")).toBe(RETRIES + 1);
    expectNothingWritten(file);
    return { outcome: "refused" };
  });

  fault("network", "body stalls half-way (timeout mid-body)", async () => {
    const file = target();
    const error = await failure(download(server.url("/stall"), file, fast(path.dirname(file), 300)));
    expect(error.message).toMatch(/après 3 essais : .*(timeout|aborted)/i);
    expectNothingWritten(file);
    return { outcome: "refused" };
  });

  fault("network", "404: not retried, named", async () => {
    const file = target();
    const error = await failure(download(server.url("/missing"), file, fast(path.dirname(file))));
    expect(error.message).toBe(`${server.url("/missing")} : HTTP 404 Not Found`);
    expect(server.hits("/missing")).toBe(1);
    expectNothingWritten(file);
    return { outcome: "refused" };
  });

  fault("network", "500: retried with backoff, then named", async () => {
    const file = target();
    const error = await failure(download(server.url("/error"), file, fast(path.dirname(file))));
    expect(error.message).toBe(`échec du téléchargement de ${server.url("/error")} après 3 essais : HTTP 500 Internal Server Error`);
    expect(server.hits("/error")).toBe(RETRIES + 1);
    expectNothingWritten(file);
    return { outcome: "refused" };
  });

  fault("network", "503 once, then the file: the retry gets it whole", async () => {
    const file = target();
    expect(await download(server.url("/flaky"), file, fast(path.dirname(file)), SHA)).toEqual({ sha256: SHA, bytes: Buffer.byteLength(BODY) });
    expect(readFileSync(file, "utf8")).toBe(BODY);
    expect(server.hits("/flaky")).toBe(2);
    return { outcome: "corrected" };
  });

  fault("network", "connection reset mid-body: the previous good file is kept", async () => {
    const file = target();
    writeFileSync(file, BODY);
    const error = await failure(download(server.url("/reset"), file, fast(path.dirname(file))));
    expect(error.message).toMatch(/^échec du téléchargement de .*\/reset après 3 essais : /);
    expect(readFileSync(file, "utf8")).toBe(BODY);
    expect(readdirSync(path.dirname(file)).filter((n) => n.includes(".part-"))).toEqual([]);
    return { outcome: "refused" };
  });

  fault("network", "body whose sha256 differs from the pinned one", async () => {
    const file = target();
    const error = await failure(download(server.url("/tampered"), file, fast(path.dirname(file)), SHA));
    expect(error.message).toMatch(new RegExp(`^empreinte sha256 inattendue pour ${escape(server.url("/tampered"))} : [0-9a-f]{64} au lieu de ${SHA}$`));
    expect(server.hits("/tampered")).toBe(1);
    expectNothingWritten(file);
    return { outcome: "refused" };
  });

  fault("network", "HTML page served with status 200 instead of the CSV: refused, never cached", async () => {
    const rawDir = faultDir("sdin-fault-raw-");
    const error = await failure(acquire(resource(server.url("/portal")), fast(rawDir)));
    expect(error.message).toBe(`${server.url("/portal")} : page HTML reçue à la place du fichier (erreur du serveur ou lien périmé ?)`);
    expect(server.hits("/portal")).toBe(1);
    expectNothingWritten(path.join(rawDir, "insee-populations-legales/donnees_communes.csv"));
    return { outcome: "refused" };
  });

  fault("network", "redirect loop", async () => {
    const file = target();
    const error = await failure(download(server.url("/loop-a"), file, fast(path.dirname(file))));
    expect(error.message).toMatch(/^échec du téléchargement de .*\/loop-a après 3 essais : .*redirect/i);
    expectNothingWritten(file);
    return { outcome: "refused" };
  });

  fault("network", "acquire through the cache: a pinned download, then the cached file without the network", async () => {
    const rawDir = faultDir("sdin-fault-raw-");
    const first = await acquire(resource(server.url("/ok"), { sha256: SHA }), fast(rawDir));
    expect(first).toMatchObject({ sha256: SHA, origin: server.url("/ok"), file: path.join(rawDir, "insee-populations-legales/donnees_communes.csv") });
    const hits = server.hits("/ok");
    const again = await acquire(resource(server.url("/ok"), { sha256: SHA }), fast(rawDir));
    expect(again.sha256).toBe(SHA);
    expect(server.hits("/ok")).toBe(hits);
    return { outcome: "loaded" };
  });

  fault("network", "neither network nor mirror: one sentence telling how to use a mirror", async () => {
    const url = `http://127.0.0.1:${await closedPort()}/donnees_communes.csv`;
    const rawDir = faultDir("sdin-fault-raw-");
    const error = await failure(acquire(resource(url), fast(rawDir)));
    expect(error).toBeInstanceOf(NoDataAccessError);
    expect(error.message).toBe(
      `impossible d'obtenir ${url} : le réseau ne répond pas et aucun miroir n'est indiqué ; pointez sdin vers une copie locale avec SDIN_MIRROR=DOSSIER ou --mirror DOSSIER.`
    );
    expect(error.message.split(/[.!?](\s|$)/).filter((s) => s.trim()).length).toBe(1);
    expect(readdirSync(rawDir)).toEqual(["insee-populations-legales"]);
    expect(readdirSync(path.join(rawDir, "insee-populations-legales"))).toEqual([]);
    return { outcome: "refused" };
  });

  fault("network", "a mirror that lacks a required file: named, nothing downloaded", async () => {
    const mirror = faultDir("sdin-fault-mirror-");
    const error = await failure(acquire(resource(server.url("/ok")), { ...fast(faultDir()), mirror }));
    expect(error).toBeInstanceOf(MissingResourceError);
    expect(error.message).toBe(`fichier absent du miroir : ${path.join(mirror, "insee-populations-legales/donnees_communes.csv")} (populations (test))`);
    return { outcome: "refused" };
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

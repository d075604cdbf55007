import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".csv": "text/csv; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".geojson": "application/geo+json",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".woff2": "font/woff2"
};

/**
 * A tiny static server for the built site (no dependency): GET and HEAD only, paths confined to `root`,
 * `/x/` → `/x/index.html` and `/x` → `/x.html` like most web servers configured for static sites.
 */
export function serveStatic(root: string, { port = 3000, host = "127.0.0.1" } = {}): Promise<Server> {
  const base = path.resolve(root);
  const server = createServer((request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    } catch {
      response.writeHead(400).end();
      return;
    }
    const file = resolveFile(base, pathname);
    if (!file) {
      const notFound = path.join(base, "404.html");
      response.writeHead(404, { "content-type": types[".html"] });
      if (existsSync(notFound) && request.method === "GET") createReadStream(notFound).pipe(response);
      else response.end("introuvable");
      return;
    }
    response.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

function resolveFile(base: string, pathname: string): string | null {
  const candidate = path.resolve(base, "." + pathname);
  if (candidate !== base && !candidate.startsWith(base + path.sep)) return null;
  for (const file of [candidate, path.join(candidate, "index.html"), candidate + ".html"]) {
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return null;
}

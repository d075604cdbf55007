import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

type Handler = (request: IncomingMessage, response: ServerResponse, hit: number) => void;

/** A local HTTP server on 127.0.0.1 whose routes misbehave on purpose; it counts the requests per path. */
export interface FaultServer {
  url(path: string): string;
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Handler>): Promise<FaultServer> {
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const route = new URL(request.url ?? "/", "http://x").pathname;
    const n = (hits.get(route) ?? 0) + 1;
    hits.set(route, n);
    const handler = routes[route];
    if (handler) handler(request, response, n);
    else response.writeHead(404).end("not found");
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hits: (path) => hits.get(path) ?? 0,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
}

/** A TCP port nothing listens on (opened, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

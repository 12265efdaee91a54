/**
 * The view's HTTP server: the page and its scripts and style, all from
 * this project (`lib/view/page/`, read once at start), and one WebSocket
 * per page at `/ws` for the events. Nothing on the page comes from
 * anywhere else: its Content-Security-Policy allows this server only.
 *
 * `/api/summary` answers what the view saw and served, and the server's
 * memory (for tests and the benchmark).
 *
 * Bound to the loopback address, the server answers only requests that
 * name a loopback host (a web page elsewhere cannot reach it by a DNS name
 * that points here).
 *
 * @example Serve a view on a free port
 * ```ts
 * import { startViewServer } from "./server.ts";
 * import { LiveHub } from "./hub.ts";
 *
 * async function serve(signal: AbortSignal) {
 *   const hub = new LiveHub({ lab: "progjar", lang: "en", note: "" });
 *   const server = await startViewServer({ hostname: "127.0.0.1", port: 0, source: hub, signal });
 *   console.log(`http://127.0.0.1:${server.port}/`);
 *   await server.finished;
 * }
 * ```
 *
 * @module
 */

import type { ViewSource } from "./hub.ts";

/** Options for {@linkcode startViewServer}. */
export interface ViewServerOptions {
  /** The address to listen on. */
  hostname: string;
  /** The TCP port (0: any free one). */
  port: number;
  /** What pages are served from. */
  source: ViewSource;
  /** Stops the server. */
  signal: AbortSignal;
}

/** A view server running. */
export interface ViewServer {
  /** The port it listens on. */
  port: number;
  /** Resolves when it has stopped. */
  finished: Promise<void>;
}

const PAGE_DIR = new URL("./page/", import.meta.url);

const FILES: Record<string, string> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/view.css": "view.css",
  "/app.js": "app.js",
  "/i18n.js": "i18n.js",
  "/player.js": "player.js",
  "/stage.js": "stage.js",
  "/list.js": "list.js",
  "/details.js": "details.js",
};

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
};

/** Everything the page may load or connect to: this server, nothing else. */
const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // The picture's SVG carries its font in a style attribute.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The page's files, read once. */
async function pageFiles(): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of new Set(Object.values(FILES))) {
    files.set(name, await Deno.readFile(new URL(name, PAGE_DIR)));
  }
  return files;
}

/**
 * Starts the server; throws `Deno.errors.AddrInUse` when the port is
 * taken.
 */
export async function startViewServer(
  options: ViewServerOptions,
): Promise<ViewServer> {
  const files = await pageFiles();
  const loopback = options.hostname.startsWith("127.");
  const handler = (request: Request): Response => {
    const url = new URL(request.url);
    if (loopback) {
      const host = request.headers.get("host")?.replace(/:\d+$/, "") ?? "";
      if (!LOOPBACK_NAMES.has(host) && !host.startsWith("127.")) {
        return new Response("not a loopback host\n", { status: 421 });
      }
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", {
        status: 405,
        headers: { allow: "GET, HEAD" },
      });
    }
    if (url.pathname === "/ws") {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return new Response("a WebSocket is expected here\n", { status: 426 });
      }
      const { socket, response } = Deno.upgradeWebSocket(request);
      options.source.attach(socket);
      return response;
    }
    if (url.pathname === "/api/summary") {
      return Response.json({
        ...options.source.summary(),
        memory: Deno.memoryUsage(),
      }, { headers: { "cache-control": "no-store" } });
    }
    const name = FILES[url.pathname];
    if (name === undefined) return new Response("not found\n", { status: 404 });
    return new Response(files.get(name) as BodyInit, {
      headers: {
        "content-type": TYPES[name.slice(name.lastIndexOf(".") + 1)],
        "cache-control": "no-store",
        "content-security-policy": POLICY,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      },
    });
  };
  let listening!: (port: number) => void;
  const port = new Promise<number>((resolve) => listening = resolve);
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    signal: options.signal,
    onListen: ({ port }) => listening(port),
  }, handler);
  return { port: await port, finished: server.finished };
}

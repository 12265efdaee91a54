/**
 * The routes of the HTTP server (`http_server.ts`): method and path to a
 * handler that takes a Fetch `Request` and gives a `Response`, or a
 * {@linkcode FileAnswer} for bytes of a file (sent from one buffer, not a
 * stream). A GET route also answers HEAD; a POST route names the most body
 * bytes it takes. The routes are plain data, so another endpoint (the VMs'
 * records) is one more line where the server is set up.
 *
 * @example
 * ```ts
 * import { Router } from "./http_router.ts";
 *
 * const router = new Router()
 *   .get("/install.sh", () => new Response("#!/bin/sh\n"))
 *   .post("/records", () => new Response("ok\n"), { maxBody: 1 << 20 });
 * const found = router.find("HEAD", "/install.sh");
 * console.log(found !== 404 && "method" in found && found.method); // "GET"
 * console.log(router.find("GET", "/records")); // { allowed: [ "POST" ] }
 * ```
 *
 * @module
 */

/** A part of a file, for the exchange of a 206. */
export interface AnsweredRange {
  /** First byte. */
  start: number;
  /** Last byte (inclusive). */
  end: number;
  /** The whole file's size. */
  size: number;
}

/** Options of a {@linkcode FileAnswer}. */
export interface FileAnswerOptions {
  /** The status (default 200). */
  status?: number;
  /** Header fields (`content-length` is the server's). */
  headers?: HeadersInit;
  /** Where in the file to start (default 0). */
  start?: number;
  /** How many bytes to send. */
  length: number;
  /** The range this is of the file (reported with the exchange). */
  range?: AnsweredRange;
  /**
   * The file's path, so that the kernel can send it (`sendfile`) if it is
   * still the file opened; without it the server sends the bytes itself.
   */
  path?: string;
}

/** An answer made of bytes of an open file; the server closes the file. */
export class FileAnswer {
  /** The open file. */
  readonly file: Deno.FsFile;
  /** What to send of it. */
  readonly options: FileAnswerOptions;

  /** `options.length` bytes of `file` from `options.start`. */
  constructor(file: Deno.FsFile, options: FileAnswerOptions) {
    this.file = file;
    this.options = options;
  }
}

/** What a handler answers. */
export type Answer = Response | FileAnswer;

/** What a handler knows of the request besides the `Request`. */
export interface RequestInfo {
  /** The client's address. */
  client: string;
  /** The path asked for (`/install.sh`). */
  path: string;
}

/** A route's handler (a GET handler also answers HEAD, without the body). */
export type Handler = (
  request: Request,
  info: RequestInfo,
) => Answer | Promise<Answer>;

/** Options of a route. */
export interface RouteOptions {
  /** The most body bytes taken (a larger `Content-Length`: 413). */
  maxBody?: number;
  /** `false`: no exchange for it (the route logs its own). */
  report?: boolean;
}

export interface Route {
  method: string;
  pattern: string;
  handler: Handler;
  options: RouteOptions;
}

/**
 * Method and path to a handler. A pattern is a path (`/install.sh`) or a
 * prefix ending in `*` (`/records/*`, `/*`); an exact path wins, then the
 * longest prefix.
 */
export class Router {
  #routes: Route[] = [];

  /** Adds a GET (and HEAD) route. */
  get(pattern: string, handler: Handler, options: RouteOptions = {}): this {
    this.#routes.push({ method: "GET", pattern, handler, options });
    return this;
  }

  /** Adds a POST route taking at most `options.maxBody` bytes. */
  post(
    pattern: string,
    handler: Handler,
    options: RouteOptions & { maxBody: number },
  ): this {
    this.#routes.push({ method: "POST", pattern, handler, options });
    return this;
  }

  /** The route for `method` and `path`, or 404, or 405 (with the methods allowed). */
  find(method: string, path: string): Route | 404 | { allowed: string[] } {
    const matching = this.#routes
      .filter((r) =>
        r.pattern.endsWith("*")
          ? path.startsWith(r.pattern.slice(0, -1))
          : r.pattern === path
      )
      .sort((a, b) => weight(b.pattern) - weight(a.pattern));
    if (matching.length === 0) return 404;
    const best = weight(matching[0].pattern);
    const top = matching.filter((r) => weight(r.pattern) === best);
    const wanted = method === "HEAD" ? "GET" : method;
    const route = top.find((r) => r.method === wanted);
    if (route) return route;
    const allowed = new Set(top.map((r) => r.method));
    if (allowed.has("GET")) allowed.add("HEAD");
    return { allowed: [...allowed] };
  }
}

/** Exact paths before prefixes, longer prefixes before shorter. */
function weight(pattern: string): number {
  return pattern.endsWith("*") ? pattern.length : Number.MAX_SAFE_INTEGER;
}

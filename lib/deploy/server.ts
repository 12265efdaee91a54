/**
 * The HTTP side of `serve`: `GET /install.sh` (written per request for the
 * address the VM used), `GET /<artefact>` (from disk, with `Range`: 206 with
 * exactly the bytes asked for, 416 for a range outside the file, so that a
 * VM on a flaky link resumes with `wget -c`), `GET /` (a plain-text index)
 * `POST /records` (the VMs' records, when serve keeps them: `serve_records.ts`)
 * and 404 for anything else, on the HTTP server of `http_server.ts` with its
 * limits. Every answered request is reported once it is over: who, what,
 * bytes, seconds, and whether the client took all of it.
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import { parseRange } from "./_http.ts";
import {
  alpinePackOf,
  type Artefact,
  artefactKind,
  listArtefacts,
  packFacts,
} from "./artefacts.ts";
import {
  type Exchange,
  FileAnswer,
  type Limits,
  listen,
  type Refusal,
  type RequestInfo,
  Router,
} from "./http_server.ts";
import { HEAD_LIMIT, RECORDS_PATH } from "./delivery.ts";
import { installScript, isSafeBase } from "./install_script.ts";
import { answerRecords, type RecordsRoute } from "./serve_records.ts";

/** One request, reported when its answer is over. */
export type Transfer = Exchange;

/** Options for {@linkcode startServer}. */
export interface ServerOptions {
  /** The directory of the artefacts. */
  dir: string;
  /** The address to listen on. */
  hostname: string;
  /** The TCP port (0: any free one). */
  port: number;
  /** The machine the served install.sh installs for (`x86_64`). */
  machine: string;
  /** The language of install.sh when the request does not ask (`?lang=id`). */
  lang: Lang;
  /** Limits other than the defaults (`http_server.ts`). */
  limits?: Partial<Limits>;
  /** Called once per request, when its answer is over (not for records). */
  onTransfer(transfer: Transfer): void;
  /** Called once per connection refused or cut by a limit. */
  onRefusal(refusal: Refusal): void;
  /** The VMs' records: `POST /records`, and a secret in each install.sh. */
  records?: RecordsRoute;
  /** Stops the server. */
  signal: AbortSignal;
}

/** A running server. */
export interface RunningServer {
  /** The port it listens on. */
  port: number;
  /** Connections open now. */
  connections(): number;
  /** Resolves when it has stopped (after `signal`). */
  finished: Promise<void>;
}

/**
 * Listens and serves until `options.signal`. Throws `Deno.errors.AddrInUse`
 * (and the like) at once when it cannot listen.
 */
export function startServer(options: ServerOptions): RunningServer {
  const router = serveRoutes(options);
  const server = listen({
    hostname: options.hostname,
    port: options.port,
    router,
    limits: options.limits,
    signal: options.signal,
    onExchange: options.onTransfer,
    onRefusal: options.onRefusal,
  });
  return {
    port: server.port,
    connections: server.connections,
    finished: server.finished,
  };
}

/** serve's own routes: install.sh, the index, the artefacts. */
export function serveRoutes(
  options: Pick<ServerOptions, "dir" | "machine" | "lang" | "records">,
): Router {
  const router = new Router()
    .get(
      "/install.sh",
      (request, info) => installAnswer(request, info, options),
    )
    .get("/", async () => {
      const body = indexText(await listArtefacts(options.dir));
      return new Response(body, {
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    })
    .get("/*", (request, info) => artefactAnswer(request, info, options.dir));
  const records = options.records;
  if (records) {
    // The store bounds what it reads and refuses in its own words (a line
    // naming --records-max-run); the server's bound is only a backstop.
    const answer = (request: Request, info: RequestInfo) =>
      answerRecords(request, info.client, records);
    const maxBody = 2 * (records.store.limits.run + HEAD_LIMIT);
    router
      .post(RECORDS_PATH, answer, { maxBody, report: false })
      .get(RECORDS_PATH, answer, { report: false });
  }
  return router;
}

async function installAnswer(
  request: Request,
  info: RequestInfo,
  options: Pick<ServerOptions, "dir" | "machine" | "lang" | "records">,
): Promise<Response> {
  // The address and port the VM used: what it can reach us by.
  const base = `http://${request.headers.get("host") ?? ""}`;
  if (!isSafeBase(base)) {
    return new Response("bad Host header\n", { status: 400 });
  }
  const asked = new URL(request.url).searchParams.get("lang");
  const lang = asked === "id" || asked === "en" ? asked : options.lang;
  const pack = alpinePackOf(await listArtefacts(options.dir), options.machine);
  const script = installScript({
    base,
    pack: pack ? await packFacts(pack) : undefined,
    lang,
    // A secret of its own for this VM, tied to the address that asked.
    records: pack && request.method !== "HEAD" && options.records
      ? await options.records.store.issue(info.client) ?? "full"
      : undefined,
  });
  return new Response(script, {
    headers: {
      "content-type": "text/x-shellscript; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}

/**
 * An artefact by name, whole or the part a `Range` asks for. A download is
 * resumable: `Accept-Ranges`, and an `ETag` and `Last-Modified` so that a
 * client sending `If-Range` gets the whole new file after a rebuild (BusyBox
 * wget does not send it: the script's checksum catches a mixed download).
 */
function artefactAnswer(
  request: Request,
  info: RequestInfo,
  dir: string,
): Response | FileAnswer {
  const name = info.path.slice(1);
  const kind = artefactKind(name);
  if (!kind) return new Response("not found\n", { status: 404 });
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(`${dir}/${name}`);
  } catch {
    return new Response("not found\n", { status: 404 });
  }
  // The size of the file opened (a rebuild renames a new file into place).
  const stat = file.statSync();
  if (!stat.isFile) {
    file.close();
    return new Response("not found\n", { status: 404 });
  }
  const size = stat.size;
  const modified = stat.mtime ?? new Date(0);
  const etag = `"${size.toString(16)}-${modified.getTime().toString(16)}"`;
  const lastModified = modified.toUTCString();
  const headers: Record<string, string> = {
    "content-type": kind === "bundle"
      ? "text/javascript; charset=utf-8"
      : "application/octet-stream",
    "accept-ranges": "bytes",
    "cache-control": "no-store",
    "etag": etag,
    "last-modified": lastModified,
  };
  const ifRange = request.headers.get("if-range");
  const range = ifRange === null || ifRange === etag || ifRange === lastModified
    ? parseRange(request.headers.get("range"), size)
    : undefined;
  if (range === "unsatisfiable") {
    file.close();
    return new Response(`the file has ${size} bytes\n`, {
      status: 416,
      headers: { ...headers, "content-range": `bytes */${size}` },
    });
  }
  if (range) {
    return new FileAnswer(file, {
      status: 206,
      headers: {
        ...headers,
        "content-range": `bytes ${range.start}-${range.end}/${size}`,
      },
      start: range.start,
      length: range.end - range.start + 1,
      range: { ...range, size },
      path: `${dir}/${name}`,
    });
  }
  return new FileAnswer(file, {
    headers,
    length: size,
    path: `${dir}/${name}`,
  });
}

/** `GET /`: what is here and the line to paste. */
function indexText(artefacts: readonly Artefact[]): string {
  return [
    "progjar: on a lab VM, as root:",
    "  wget -qO- http://<this address>:<port>/install.sh | sh",
    "",
    "files:",
    ...artefacts.map((a) => `  /${a.name}  ${a.size} bytes`),
    "",
  ].join("\n");
}

/**
 * The HTTP side of `serve`: `GET /install.sh` (written per request for the
 * address the VM used), `GET /<artefact>` (streamed from disk, counted as it
 * goes), `GET /` (a plain-text index) and 404 for anything else. Every
 * answered request is reported once it is over: who, what, bytes, seconds,
 * and whether the client took all of it.
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import {
  alpinePackOf,
  type Artefact,
  artefactKind,
  listArtefacts,
  packFacts,
} from "./artefacts.ts";
import { RECORDS_PATH } from "./delivery.ts";
import { installScript, isSafeBase } from "./install_script.ts";
import { answerRecords, type RecordsRoute } from "./serve_records.ts";

/** One request, reported when its answer is over. */
export interface Transfer {
  /** The client's address. */
  client: string;
  /** The path asked for (`/install.sh`). */
  path: string;
  /** The HTTP status sent. */
  status: number;
  /**
   * Bytes of the body handed to the connection. For a cut-off answer this is
   * an upper bound of what the client received: the last of them may still
   * have been in the socket's send buffer when it went away.
   */
  bytes: number;
  /** Seconds from the request to the end of the answer. */
  seconds: number;
  /** Whether the whole body went out (false: the client went away). */
  complete: boolean;
}

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
  /** Called once per request, when its answer is over (not for records). */
  onTransfer(transfer: Transfer): void;
  /** The VMs' records: `POST /records`, and a secret in each install.sh. */
  records?: RecordsRoute;
  /** Stops the server. */
  signal: AbortSignal;
}

/** A running server. */
export interface RunningServer {
  /** The port it listens on. */
  port: number;
  /** Resolves when it has stopped (after `signal`). */
  finished: Promise<void>;
}

/**
 * Listens and serves until `options.signal`. Throws `Deno.errors.AddrInUse`
 * (and the like) at once when it cannot listen.
 */
export function startServer(options: ServerOptions): RunningServer {
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    signal: options.signal,
    onListen() {},
    onError(err) {
      return new Response(`error: ${firstLine(err)}\n`, { status: 500 });
    },
  }, (request, info) => answer(request, info.remoteAddr.hostname, options));
  return { port: server.addr.port, finished: server.finished };
}

async function answer(
  request: Request,
  client: string,
  options: ServerOptions,
): Promise<Response> {
  const started = performance.now();
  // Deno builds the URL from the Host header: a Host no URL can hold fails.
  const url = URL.parse(request.url);
  const path = url?.pathname ?? "?";
  const report = (status: number, bytes: number, complete: boolean) =>
    options.onTransfer({
      client,
      path,
      status,
      bytes,
      seconds: (performance.now() - started) / 1000,
      complete,
    });
  if (!url) {
    return small(new Response("bad Host header\n", { status: 400 }), report);
  }
  // The VMs' records: a route of its own, with its own one line per delivery.
  if (path === RECORDS_PATH && options.records) {
    return await answerRecords(request, client, options.records);
  }
  const head = request.method === "HEAD";
  if (request.method !== "GET" && !head) {
    return small(new Response("only GET and HEAD\n", { status: 405 }), report);
  }
  const artefacts = await listArtefacts(options.dir);
  if (path === "/install.sh") {
    // The address and port the VM used: what it can reach us by.
    const base = `http://${request.headers.get("host") ?? ""}`;
    if (!isSafeBase(base)) {
      return small(
        new Response("bad Host header\n", { status: 400 }),
        report,
      );
    }
    const lang = url.searchParams.get("lang") === "id"
      ? "id"
      : url.searchParams.get("lang") === "en"
      ? "en"
      : options.lang;
    const pack = alpinePackOf(artefacts, options.machine);
    const script = installScript({
      base,
      pack: pack ? await packFacts(pack) : undefined,
      lang,
      // A secret of its own for this VM, tied to the address that asked.
      records: pack && !head && options.records
        ? await options.records.store.issue(client) ?? "full"
        : undefined,
    });
    return small(
      new Response(head ? null : script, {
        headers: {
          "content-type": "text/x-shellscript; charset=utf-8",
          "cache-control": "no-store",
        },
      }),
      report,
      head ? 0 : new TextEncoder().encode(script).length,
    );
  }
  if (path === "/") {
    const body = indexText(artefacts);
    return small(
      new Response(head ? null : body, {
        headers: { "content-type": "text/plain; charset=utf-8" },
      }),
      report,
      head ? 0 : new TextEncoder().encode(body).length,
    );
  }
  const name = path.slice(1);
  const artefact = artefactKind(name)
    ? artefacts.find((a) => a.name === name)
    : undefined;
  if (!artefact) {
    return small(new Response("not found\n", { status: 404 }), report);
  }
  if (head) {
    return small(
      new Response(null, {
        headers: fileHeaders(artefact, artefact.size),
      }),
      report,
      0,
    );
  }
  const file = await Deno.open(artefact.path);
  // The size of the file opened (a rebuild renames a new file into place).
  const size = (await file.stat()).size;
  return new Response(countedStream(file, size, report), {
    headers: fileHeaders(artefact, size),
  });
}

/** A small answer, reported at once. */
function small(
  response: Response,
  report: (status: number, bytes: number, complete: boolean) => void,
  bytes = 0,
): Response {
  report(response.status, bytes, true);
  return response;
}

function fileHeaders(artefact: Artefact, size: number): HeadersInit {
  return {
    "content-type": artefact.kind === "bundle"
      ? "text/javascript; charset=utf-8"
      : "application/octet-stream",
    "content-length": String(size),
    "cache-control": "no-store",
  };
}

/**
 * The file's bytes as a stream that reports, once, how many it handed out
 * and whether all `size` went (a client that goes away cancels it; so may
 * the server once it has sent content-length bytes, before the end).
 */
function countedStream(
  file: Deno.FsFile,
  size: number,
  report: (status: number, bytes: number, complete: boolean) => void,
): ReadableStream<Uint8Array> {
  let bytes = 0;
  let over = false;
  const finish = (complete: boolean) => {
    if (over) return;
    over = true;
    file.close();
    report(200, bytes, complete);
  };
  return new ReadableStream<Uint8Array>({
    type: "bytes",
    async pull(controller) {
      const chunk = new Uint8Array(256 * 1024);
      let n: number | null;
      try {
        n = await file.read(chunk);
      } catch (err) {
        finish(false);
        controller.error(err);
        return;
      }
      if (n === null) {
        finish(true);
        controller.close();
        return;
      }
      bytes += n;
      controller.enqueue(chunk.subarray(0, n));
    },
    cancel() {
      finish(bytes >= size);
    },
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

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n", 1)[0];
}

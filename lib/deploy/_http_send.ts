/**
 * Writing answers on a connection of the HTTP server: small ones in one
 * write; a file by the kernel (`sendfile`, see `_sendfile.ts`) where it
 * can, else from one buffer of the connection (head and first bytes in the
 * same write); every write marked for the server's stall sweep.
 *
 * @module
 */

import { responseHead } from "./_http.ts";
import { FileAnswer } from "./http_router.ts";
import {
  drained,
  type KernelFile,
  kernelFile,
  prepareKernel,
  type SendfileEnd,
  socketFd,
} from "./_sendfile.ts";

/** Why an answer did not all go out. */
export type CutReason = "gone" | "stalled" | "stopped" | "error";

/** A connection being served. */
export interface Tracked {
  conn: Deno.TcpConn;
  client: string;
  /** What it waits for: the head, a body read, the handler, a write. */
  state: "head" | "body" | "handler" | "write";
  /** When it started waiting for that (ms). */
  since: number;
  /** Set when the server closed it, and why. */
  cut?: CutReason | "timeout";
  /** Its socket's descriptor once looked up (`null`: not found). */
  fd?: number | null;
}

export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** How an answer went. */
export interface Sent {
  status: number;
  bytes: number;
  complete: boolean;
  cut?: { cut: CutReason };
}

/** Writes all of `bytes`, marking progress for the stall sweep. */
async function writeAll(
  t: Tracked,
  bytes: Uint8Array,
  written: { n: number },
): Promise<void> {
  t.state = "write";
  let offset = 0;
  while (offset < bytes.length) {
    t.since = performance.now();
    const n = await t.conn.write(bytes.subarray(offset));
    offset += n;
    written.n += n;
  }
}

function cutOf(t: Tracked): { cut: CutReason } {
  const why = t.cut;
  return { cut: why === undefined || why === "timeout" ? "gone" : why };
}

async function sendBytes(
  t: Tracked,
  status: number,
  headers: Iterable<[string, string]>,
  body: Uint8Array,
  headOnly: boolean,
): Promise<Sent> {
  const top = responseHead(status, headers, body.length);
  const written = { n: 0 };
  try {
    await writeAll(t, headOnly ? top : concat(top, body), written);
    return { status, bytes: headOnly ? 0 : body.length, complete: true };
  } catch {
    const bytes = Math.max(0, written.n - top.length);
    return { status, bytes, complete: false, cut: cutOf(t) };
  }
}

export function sendSmall(
  t: Tracked,
  status: number,
  text: string,
  headers: [string, string][] = [],
): Promise<Sent> {
  return sendBytes(
    t,
    status,
    [["content-type", "text/plain; charset=utf-8"], ...headers],
    new TextEncoder().encode(text),
    false,
  );
}

export async function sendResponse(
  t: Tracked,
  response: Response,
  headOnly: boolean,
): Promise<Sent> {
  const body = new Uint8Array(await response.arrayBuffer());
  return sendBytes(t, response.status, response.headers, body, headOnly);
}

/** The file was shorter than its answer said (changed in place). */
class FileEnded extends Error {}

/** Sends a file's bytes: by the kernel where it can, else from a buffer. */
export async function sendFile(
  t: Tracked,
  answer: FileAnswer,
  options: { headOnly: boolean; chunkBytes: number },
): Promise<Sent> {
  let sent: Sent;
  // A head is asked as a check before a download: be ready for it.
  if (options.headOnly) prepareKernel();
  try {
    const kernel = options.headOnly ? undefined : kernelJob(t, answer);
    sent = kernel
      ? await sendByKernel(t, answer, kernel)
      : await sendFromBuffer(t, answer, options);
  } finally {
    answer.file.close();
  }
  return sent.complete && sent.bytes > 0 ? await acknowledged(t, sent) : sent;
}

/**
 * A download counts as complete once the client's TCP acknowledged its
 * last byte; one reset before that was cut off, with at most what was
 * acknowledged. Without the socket's descriptor, as handed to the kernel.
 */
async function acknowledged(t: Tracked, sent: Sent): Promise<Sent> {
  const fd = descriptorOf(t);
  if (fd === null) return sent;
  let unacknowledged = 0;
  t.state = "write";
  let whole: boolean;
  try {
    whole = await drained(fd, {
      left: (bytes) => {
        t.since = performance.now();
        unacknowledged = bytes;
      },
      cut: () => t.cut !== undefined,
    });
  } catch {
    return sent;
  }
  // Stopping closes the socket gracefully: the kernel still delivers what
  // it holds, as it did for a download that had only just been handed over.
  if (whole || t.cut === "stopped") return sent;
  return {
    ...sent,
    bytes: Math.max(0, sent.bytes - unacknowledged),
    complete: false,
    cut: t.cut === undefined ? { cut: "gone" } : cutOf(t),
  };
}

/** The connection's descriptor, looked up once per connection. */
function descriptorOf(t: Tracked): number | null {
  if (t.fd === undefined) t.fd = socketFd(t.conn) ?? null;
  return t.fd;
}

/** A socket and a file for `sendfile`. */
interface KernelJob {
  socket: number;
  file: KernelFile;
}

/** The socket and the file reopened for `sendfile`, when both are there. */
function kernelJob(
  t: Tracked,
  answer: FileAnswer,
): KernelJob | undefined {
  const path = answer.options.path;
  if (path === undefined || answer.options.length === 0) return undefined;
  const socket = descriptorOf(t);
  if (socket === null) return undefined;
  const stat = answer.file.statSync();
  if (stat.dev === undefined || stat.ino === null) return undefined;
  const file = kernelFile(path, { dev: stat.dev, ino: stat.ino });
  return file ? { socket, file } : undefined;
}

async function sendByKernel(
  t: Tracked,
  answer: FileAnswer,
  kernel: KernelJob,
): Promise<Sent> {
  const what = answer.options;
  const status = what.status ?? 200;
  const top = responseHead(status, new Headers(what.headers), what.length);
  const written = { n: 0 };
  let end: SendfileEnd;
  try {
    await writeAll(t, top, written);
    t.state = "write";
    t.since = performance.now();
    end = await kernel.file.send(kernel.socket, {
      start: what.start ?? 0,
      length: what.length,
      progress: (bytes) => {
        t.since = performance.now();
        written.n += bytes;
      },
      cut: () => t.cut !== undefined,
    });
  } catch {
    end = "cut";
  } finally {
    kernel.file.close();
  }
  const bytes = Math.max(0, written.n - top.length);
  if (end === "done") return { status, bytes, complete: true };
  const cut = end === "short"
    ? { cut: "error" as const }
    : end === "failed" && t.cut === undefined
    ? { cut: "gone" as const }
    : cutOf(t);
  return { status, bytes, complete: false, cut };
}

/** Sends a file's bytes from one buffer: head and first bytes in one write. */
async function sendFromBuffer(
  t: Tracked,
  answer: FileAnswer,
  options: { headOnly: boolean; chunkBytes: number },
): Promise<Sent> {
  const { headOnly, chunkBytes } = options;
  const { file } = answer;
  const what = answer.options;
  const status = what.status ?? 200;
  const top = responseHead(
    status,
    new Headers(what.headers),
    what.length,
  );
  const written = { n: 0 };
  let remaining = headOnly ? 0 : what.length;
  try {
    if (remaining > 0) file.seekSync(what.start ?? 0, Deno.SeekMode.Start);
    const buffer = new Uint8Array(
      Math.max(top.length * 2, Math.min(chunkBytes, top.length + remaining)),
    );
    buffer.set(top);
    let filled = top.length;
    while (true) {
      const room = Math.min(buffer.length - filled, remaining);
      if (room > 0) {
        const n = file.readSync(buffer.subarray(filled, filled + room));
        if (n === null) throw new FileEnded();
        filled += n;
        remaining -= n;
      }
      await writeAll(t, buffer.subarray(0, filled), written);
      filled = 0;
      if (remaining === 0) break;
    }
    return {
      status,
      bytes: headOnly ? 0 : what.length,
      complete: true,
    };
  } catch (err) {
    const bytes = Math.max(0, written.n - top.length);
    const why = err instanceof FileEnded ? { cut: "error" as const } : cutOf(t);
    return { status, bytes, complete: false, cut: why };
  }
}

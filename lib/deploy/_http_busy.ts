/**
 * Internal: the 503 of a connection over a limit (`http_server.ts`), as a
 * client can take it.
 *
 * @module
 */

import { headEnd, responseHead } from "./_http.ts";
import { closeQuietly, concat } from "./_http_send.ts";

/**
 * Answers `conn` 503 with `body` and `Retry-After: 5`, and closes it; not
 * awaited by the accept loop. The first 64 at a time are answered after
 * their request head (see `busy`); a flood beyond them at once.
 */
export function answerBusy(conn: Deno.TcpConn, body: Uint8Array): void {
  const head = responseHead(
    503,
    [["content-type", "text/plain; charset=utf-8"], ["retry-after", "5"]],
    body.length,
  );
  const answer = concat(head, body);
  if (lingering >= MAX_LINGERING) {
    // Small enough for an empty socket buffer.
    conn.write(answer).catch(() => {}).finally(() => closeQuietly(conn));
    return;
  }
  busy(conn, answer);
}

/** Refused connections being answered now, and the most at once. */
let lingering = 0;
const MAX_LINGERING = 64;

/**
 * A 503 as a client can take it: after its request head (or 250 ms), then
 * the end of our side, then what it still sends read and dropped (2 s at
 * most in all). Answered before its request, an HTTP client (Deno's fetch)
 * takes the answer for a broken connection; closed with its body unread,
 * the connection is reset. Either way a VM posting its run got "fetch
 * failed" instead of the 503 that tells it to come back.
 */
async function busy(conn: Deno.TcpConn, answer: Uint8Array): Promise<void> {
  lingering++;
  const timer = setTimeout(() => closeQuietly(conn), 2000);
  Deno.unrefTimer(timer);
  const buffer = new Uint8Array(4096);
  try {
    let late: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<"late">((resolve) => {
      late = setTimeout(() => resolve("late"), 250);
      Deno.unrefTimer(late);
    });
    // One read at a time: a read that lost the race is awaited later.
    let length = 0;
    const read = (into: Uint8Array) => {
      const p = conn.read(into);
      p.catch(() => {}); // awaited below unless the answer failed first
      return p;
    };
    let pending: Promise<number | null> | undefined = read(buffer);
    let ended = false;
    while (pending) {
      const n = await Promise.race([pending, waited]);
      if (n === "late") break;
      pending = undefined;
      if (n === null) {
        ended = true;
        break;
      }
      const searched = length;
      length += n;
      if (headEnd(buffer, length, searched) >= 0 || length === buffer.length) {
        break;
      }
      pending = read(buffer.subarray(length));
    }
    clearTimeout(late);
    await conn.write(answer);
    await conn.closeWrite();
    if (!ended) {
      if (pending && await pending === null) ended = true;
      while (!ended && await conn.read(buffer) !== null) {
        // dropped
      }
    }
  } catch {
    // reset, or closed by the timer: done either way
  } finally {
    clearTimeout(timer);
    lingering--;
    closeQuietly(conn);
  }
}

/**
 * One delivery's body read and checked whole, line by line, each line
 * bounded before it is held (`records_store.ts` keeps it only if all of it
 * is right): its head, then the run's entries, put on the host's clock and
 * given the run's id, each handed on as soon as it is checked (the store
 * spools them to disk: a run is never held whole in memory).
 *
 * @module
 */

import type { Text } from "../cli/i18n.ts";
import {
  checkEntry,
  checkHead,
  type DeliveryHead,
  HEAD_LIMIT,
} from "./delivery.ts";
import { NotUtf8, readLines, TooLong } from "./_lines.ts";

/** What {@linkcode readRun} needs. */
export interface ReadRunOptions {
  /** The bounds of an entry and of a run, in bytes. */
  limits: { entry: number; run: number };
  /** Host clock minus VM clock for this delivery. */
  offsetMs(head: DeliveryHead): number;
  /** Whether the store already has run `run`. */
  has(run: string): boolean;
  /**
   * Takes each entry as it will be stored (host clock, `run` added), in
   * order, as soon as it is checked: nothing of the run is held here.
   */
  entry(line: string): Promise<void>;
}

/** A run read whole: the lines to store, and what serve's log says of it. */
export interface ReadRun {
  head: DeliveryHead;
  duplicate: false;
  /** The entries given to `options.entry`. */
  entries: number;
  role?: string;
  startMs: number;
  endMs: number;
  /** Whether the run has its `end` entry. */
  ended: boolean;
}

/** What {@linkcode readRun} found. */
export type ReadOutcome =
  | ReadRun
  | { head: DeliveryHead; duplicate: true }
  | { status: number; refused: Text };

/**
 * Reads `body`; a run the store has (`options.has`) is not read past its
 * head. Stopping early cancels the body.
 */
export async function readRun(
  body: ReadableStream<Uint8Array>,
  options: ReadRunOptions,
): Promise<ReadOutcome> {
  const { limits } = options;
  const lines = readLines(body, {
    limit: (index) => index === 0 ? HEAD_LIMIT : limits.entry,
  });
  let head: DeliveryHead | undefined;
  let offset = 0;
  let entries = 0;
  let runBytes = 0;
  let pid: number | undefined;
  let role: string | undefined;
  let ended = false;
  let startMs = Infinity;
  let endMs = -Infinity;
  const refuse = (status: number, refused: Text) => ({ status, refused });
  try {
    for await (const { text, bytes, index } of lines) {
      if (index === 0) {
        const value = parseJson(text);
        const problem = value === undefined
          ? "the head is not JSON"
          : checkHead(value);
        if (problem) return refuse(400, invalid(problem));
        head = value as DeliveryHead;
        if (head.run !== null && options.has(head.run)) {
          return { head, duplicate: true };
        }
        offset = options.offsetMs(head);
        continue;
      }
      runBytes += bytes;
      if (runBytes > limits.run) {
        return refuse(413, {
          en: `a run over ${limits.run} bytes (--records-max-run)`,
          id: `jalannya role lebih dari ${limits.run} byte (--records-max-run)`,
        });
      }
      const value = parseJson(text);
      const problem = value === undefined ? "not JSON" : checkEntry(value);
      if (problem) return refuse(400, invalid(problem, index));
      const entry = value as Record<string, unknown> & {
        t: number;
        pid: number;
      };
      if (head!.run === null) {
        return refuse(400, invalid("entries without a run id", index));
      }
      if (index === 1 && !("start" in entry)) {
        return refuse(400, invalid("a run begins with its start entry", index));
      }
      if ("start" in entry && index !== 1) {
        return refuse(400, invalid("a second start", index));
      }
      if (ended) return refuse(400, invalid("after the end", index));
      if (pid !== undefined && entry.pid !== pid) {
        return refuse(400, invalid("another process", index));
      }
      pid = entry.pid;
      if ("start" in entry) role = (entry.start as { role: string }).role;
      if ("end" in entry) ended = true;
      const t = entry.t + offset;
      startMs = Math.min(startMs, t);
      endMs = Math.max(endMs, t);
      const { t: _t, pid: _pid, ...kind } = entry;
      try {
        await options.entry(
          JSON.stringify({ t, pid: entry.pid, run: head!.run, ...kind }),
        );
      } catch (err) {
        throw new EntryFailed(err);
      }
      entries++;
    }
  } catch (err) {
    // The store's own failure (its disk), not the delivery's: its caller says.
    if (err instanceof EntryFailed) throw err.cause;
    if (err instanceof TooLong) {
      return err.index === 0
        ? refuse(400, invalid(`a head over ${HEAD_LIMIT} bytes`))
        : refuse(413, {
          en:
            `entry ${err.index} over ${limits.entry} bytes (--records-max-entry)`,
          id:
            `entri ${err.index} lebih dari ${limits.entry} byte (--records-max-entry)`,
        });
    }
    if (err instanceof NotUtf8) {
      return refuse(400, invalid("not UTF-8", err.index));
    }
    return refuse(400, invalid(firstLine(err)));
  }
  if (!head) return refuse(400, invalid("no head line"));
  if (head.run !== null && entries === 0) {
    return refuse(400, invalid("a run without entries"));
  }
  return { head, duplicate: false, entries, role, startMs, endMs, ended };
}

/** `options.entry` failed: passed on as it is, not as a bad delivery. */
class EntryFailed extends Error {
  constructor(cause: unknown) {
    super("the store could not take an entry", { cause });
  }
}

/** A delivery that is not valid: what, and where (entry `index`). */
function invalid(problem: string, index?: number): Text {
  return index === undefined
    ? { en: `not valid: ${problem}`, id: `tidak sah: ${problem}` }
    : {
      en: `entry ${index} not valid: ${problem}`,
      id: `entri ${index} tidak sah: ${problem}`,
    };
}

/** `text` as JSON, or `undefined`. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n", 1)[0];
}

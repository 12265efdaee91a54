/**
 * Recording a role's records to a file, for the lab's hand-in report: on a
 * lab host the environment names the file (`PROGJAR_RECORD`), and every
 * role appends to it, whatever it prints on the screen (human lines or
 * `--json`): one `start` entry with its role and command line, each JSON
 * record and human line with the wall-clock time, one `end` entry.
 *
 * ```json
 * {"t":1764482280123,"pid":4242,"start":{"role":"broadcast-receiver","argv":["--port","5005"],"lang":"en","via":"task"}}
 * {"t":1764482280125,"pid":4242,"record":{"type":"listening","port":5005}}
 * {"t":1764482280131,"pid":4242,"text":"listening for broadcasts on udp 0.0.0.0:5005"}
 * {"t":1764482281002,"pid":4242,"pattern":["message from 10.0.0.1","received \u0000","sent by (10.0.0.1, 40000)"]}
 * {"t":1764482281002,"pid":4242,"record":{"type":"datagram","from":"10.0.0.1","port":40000,"bytes":23,"seq":1,"text":" BROADCAST ini angka 1 "}}
 * {"t":1764482285002,"pid":4242,"end":{"code":0,"dropped":0}}
 * ```
 *
 * A receiver's flood of datagram lines is not recorded line by line (that
 * would cost it its speed): a `pattern` entry holds the lines each of the
 * following `datagram` records was printed as, its text in place of
 * {@linkcode PATTERN_MARK} (see {@linkcode patternLines}), for the records
 * whose text is plain ASCII; the others' lines are recorded as `text`.
 *
 * Writing never slows or blocks the role: entries go through a bounded
 * queue written asynchronously (one append per batch, so two roles on one
 * host never interleave within a line); when the file cannot keep up or the
 * disk is full, entries are dropped and counted, and the role says so once
 * it ends. A file that cannot be opened (a directory that is not writable,
 * no permission) costs one line on standard error: the role runs anyway.
 *
 * @module
 */

import { writeFully } from "./_write_fully.ts";
import { errorText } from "./errors.ts";
import type { Lang } from "./i18n.ts";
import { readEnv } from "./i18n.ts";

/** The variable that names the recording file on a lab host. */
export const RECORD_ENV = "PROGJAR_RECORD";

/** Where a datagram's text goes in a `pattern` entry's lines. */
export const PATTERN_MARK = "\u0000";

/** Most bytes waiting for the file before entries are dropped. */
export const RECORD_QUEUE_LIMIT = 8 * 1024 * 1024;

/** What a role is, for its `start` entry. */
export interface RecordingStart {
  /** The role's name (`broadcast-receiver`). */
  role: string;
  /** Its command line after the role's name. */
  argv: string[];
  /** The language it speaks. */
  lang: Lang;
}

/** One line of a recording file, as {@linkcode parseEntry} reads it. */
export interface RecordingEntry {
  /** Wall-clock time in milliseconds since the epoch. */
  t: number;
  /** The role's process id (several roles may share one file). */
  pid: number;
  /** The first entry of a role. */
  start?: RecordingStart & { via?: string };
  /** A JSON record the role made. */
  record?: Record<string, unknown>;
  /** A human line the role printed. */
  text?: string;
  /**
   * The human lines each following `datagram` record with a plain text was
   * printed as (see the module's documentation); `null`: none.
   */
  pattern?: string[] | null;
  /** The last entry of a role: its exit code and the entries dropped. */
  end?: { code: number; dropped: number };
}

const ENCODER = new TextEncoder();
const NEWLINE = 0x0a;

/**
 * Appends a role's entries to its recording file (see the module's
 * documentation), through a bounded queue.
 */
export class Recorder {
  /** The file recorded to. */
  readonly path: string;
  #file: Deno.FsFile;
  #prefix: string;
  #chunks: string[] = [];
  #bytes = 0;
  #writing: Promise<void> | undefined;
  #limit: number;
  #closed = false;
  /** Entries dropped: the file did not keep up, or a write failed. */
  dropped = 0;
  /** The last write failure, if any (e.g. the disk is full). */
  failure: unknown;

  /** Wraps `file`, open for appending at `path`. */
  constructor(
    path: string,
    file: Deno.FsFile,
    options: { limit?: number } = {},
  ) {
    this.path = path;
    this.#file = file;
    this.#prefix = `,"pid":${Deno.pid},`;
    this.#limit = options.limit ?? RECORD_QUEUE_LIMIT;
  }

  /** Records the role's start: its name, command line and language. */
  start(start: RecordingStart): void {
    this.#add(`"start":${JSON.stringify({ ...start, via: via() })}`);
  }

  /** Records one of the role's JSON records. */
  record(value: Record<string, unknown>): void {
    this.#add(`"record":${JSON.stringify(value)}`);
  }

  /** Records one human line the role printed. */
  text(line: string): void {
    this.#add(`"text":${JSON.stringify(line)}`);
  }

  /**
   * Records the lines the following plain `datagram` records were printed
   * as, their text in place of {@linkcode PATTERN_MARK}; `null`: none.
   */
  pattern(lines: string[] | null): void {
    this.#add(`"pattern":${JSON.stringify(lines)}`);
  }

  #add(body: string, always = false): void {
    if (this.#closed) return;
    const entry = `{"t":${Date.now()}${this.#prefix}${body}}\n`;
    if (!always && this.#bytes + entry.length > this.#limit) {
      this.dropped++;
      return;
    }
    this.#chunks.push(entry);
    this.#bytes += entry.length;
    if (this.#writing === undefined) this.#writing = this.#pump();
  }

  async #pump(): Promise<void> {
    // Yield first: a burst of entries becomes one write.
    await Promise.resolve();
    while (this.#chunks.length > 0) {
      const batch = this.#chunks;
      this.#chunks = [];
      const bytes = ENCODER.encode(batch.join(""));
      try {
        await writeFully(this.#file, bytes);
      } catch (err) {
        // A full disk: these are lost, later ones may still fit.
        this.failure = err;
        this.dropped += countLines(bytes);
      }
      this.#bytes -= bytes.length;
    }
    this.#writing = undefined;
  }

  /**
   * Writes the `end` entry and what is queued (waiting at most `timeoutMs`
   * for the file), then closes it. Resolves to the entries dropped in all.
   */
  async close(code: number, timeoutMs = 500): Promise<number> {
    if (this.#closed) return this.dropped;
    const dropped = this.dropped;
    // Past the limit too: the count of what was dropped must get there.
    this.#add(`"end":${JSON.stringify({ code, dropped })}`, true);
    this.#closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = async () => {
      while (this.#writing !== undefined) await this.#writing;
    };
    await Promise.race([
      done(),
      new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
    try {
      this.#file.close();
    } catch {
      // a write still pending: the process ends anyway
    }
    return this.dropped;
  }
}

/** How the role was started: a `deno task` in a checkout, or a command. */
function via(): string {
  return /\/cmd\/[a-z_]+\.ts$/.test(Deno.mainModule) ? "task" : "command";
}

/** What {@linkcode openRecording} found. */
export type OpenedRecording =
  | { recorder: Recorder; problem?: undefined }
  | { recorder?: undefined; problem: string };

/**
 * Opens the recording file the environment names, if it names one and the
 * role may read the variable; `undefined` when there is none (a role on
 * the machine, not on a lab host). A file that cannot be opened gives a
 * `problem` to tell the user once, in `lang`.
 */
export function openRecording(lang: Lang): OpenedRecording | undefined {
  const path = readEnv(RECORD_ENV);
  if (!path) return undefined;
  try {
    // Only with the permission the lab host's launcher grants: asking
    // would prompt on a terminal.
    const state = Deno.permissions.querySync({ name: "write", path });
    if (state.state !== "granted") {
      return { problem: NOT_RECORDING[lang](path, NO_PERMISSION[lang]) };
    }
    const file = Deno.openSync(path, {
      append: true,
      create: true,
      mode: 0o644,
    });
    return { recorder: new Recorder(path, file) };
  } catch (err) {
    const reason = errorText(err)[lang];
    return { problem: NOT_RECORDING[lang](path, reason) };
  }
}

const NOT_RECORDING = {
  en: (path: string, reason: string) =>
    `not recording to ${path}: ${reason} (the role runs anyway; lab report will not see it)`,
  id: (path: string, reason: string) =>
    `tidak merekam ke ${path}: ${reason} (role tetap berjalan; lab report tidak akan melihatnya)`,
};

const NO_PERMISSION = {
  en:
    "no write permission given (start it with deno task or the role's command)",
  id:
    "izin tulis tidak diberikan (jalankan dengan deno task atau perintah role-nya)",
};

/** The line a role prints at its end when entries were dropped. */
export function droppedLine(
  recorder: Recorder,
  lang: Lang,
): string {
  const why = recorder.failure === undefined
    ? { en: "the file did not keep up", id: "berkas tidak bisa mengikuti" }
    : errorText(recorder.failure);
  return lang === "id"
    ? `rekaman: ${recorder.dropped} entri tidak tertulis ke ${recorder.path} (${why.id}); laporan lab tidak lengkap`
    : `recording: ${recorder.dropped} entries not written to ${recorder.path} (${why.en}); the lab report misses them`;
}

/**
 * Reads one line of a recording file; `undefined` for a line that is not
 * an entry (a line cut short by a full disk).
 */
export function parseEntry(line: string): RecordingEntry | undefined {
  try {
    const value = JSON.parse(line);
    if (
      typeof value !== "object" || value === null ||
      typeof value.t !== "number" || typeof value.pid !== "number"
    ) {
      return undefined;
    }
    return value as RecordingEntry;
  } catch {
    return undefined;
  }
}

/**
 * The human lines a `datagram` record's `text` was printed as under
 * `pattern` (a `pattern` entry); `undefined` when the pattern does not
 * apply: the text is not plain ASCII (its lines were recorded as `text`
 * entries), or there is no pattern.
 */
export function patternLines(
  pattern: string[] | null | undefined,
  text: unknown,
): string[] | undefined {
  if (!Array.isArray(pattern) || typeof text !== "string") return undefined;
  if (!/^[\x20-\x5b\x5d-\x7e]*$/.test(text)) return undefined;
  return pattern.map((line) => String(line).replace(PATTERN_MARK, () => text));
}

function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === NEWLINE) n++;
  return n;
}

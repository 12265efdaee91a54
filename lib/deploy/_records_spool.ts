/**
 * A delivery's lines on their way into the store, kept on disk instead of
 * in memory: `records_store.ts` checks a run whole before it keeps any of
 * it, and 150 VMs sending 1 MB runs at once held 150 runs in serve's memory
 * (296 MB resident, measured by tests/serve_records_load_test.ts). A spool
 * is a file of its own, `DIR/.incoming-<vm>.<n>`, written through one 16 KiB
 * buffer; once the run is checked, the store copies it onto the VM's file
 * (again through one buffer) and removes it. What a stopped serve left
 * there is removed when the store opens.
 *
 * The spool's I/O is synchronous: it goes to the page cache and takes
 * microseconds, and Deno's asynchronous file calls each go through its
 * pool of blocking threads, which grows under a class's load (threads and
 * their allocator arenas: resident memory serve does not need).
 *
 * @module
 */

/** The start of a spool's name in the store's directory. */
export const INCOMING = ".incoming-";

const BUFFER = 16 * 1024;
const encoder = new TextEncoder();

/** A run's lines being written to a file of their own. */
export class Spool {
  /** Its path. */
  readonly path: string;
  /** Bytes written (and buffered) so far. */
  size = 0;
  #file: Deno.FsFile;
  #buffer = new Uint8Array(BUFFER);
  #used = 0;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /** A new spool `name` in `dir` (`dir/.incoming-<name>`). */
  static create(dir: string, name: string): Spool {
    const path = `${dir}/${INCOMING}${name}`;
    const file = Deno.openSync(path, {
      write: true,
      create: true,
      truncate: true,
      mode: 0o600,
    });
    return new Spool(path, file);
  }

  /** Adds `line` and a newline. */
  line(line: string): void {
    // A line of ASCII takes its length in bytes; anything else at most 3 per
    // UTF-16 unit: encode straight into the buffer when it surely fits.
    if (line.length * 3 + 1 > BUFFER - this.#used) this.#flush();
    if (line.length * 3 + 1 <= BUFFER) {
      const { written } = encoder.encodeInto(
        line,
        this.#buffer.subarray(this.#used),
      );
      this.#buffer[this.#used + written] = 0x0a;
      this.#used += written + 1;
      this.size += written + 1;
      return;
    }
    const bytes = encoder.encode(line + "\n");
    writeAll(this.#file, bytes);
    this.size += bytes.length;
  }

  /** Writes what is buffered and closes the file (the spool stays). */
  close(): void {
    try {
      this.#flush();
    } finally {
      this.#file.close();
    }
  }

  /** Appends the spool's bytes to `to`, through one buffer. */
  copyTo(to: Deno.FsFile): void {
    using file = Deno.openSync(this.path);
    const buffer = this.#buffer;
    for (let n = file.readSync(buffer); n !== null; n = file.readSync(buffer)) {
      writeAll(to, buffer.subarray(0, n));
    }
  }

  /** Removes the file (closed first if it is still open). */
  remove(): void {
    try {
      this.#file.close();
    } catch {
      // closed already
    }
    try {
      Deno.removeSync(this.path);
    } catch {
      // gone already
    }
  }

  #flush(): void {
    if (this.#used === 0) return;
    writeAll(this.#file, this.#buffer.subarray(0, this.#used));
    this.#used = 0;
  }
}

/** Writes all of `bytes` to `file` (a write may take part of it). */
export function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
}

/** Removes the spools a stopped serve left in `dir`. */
export async function clearIncoming(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.startsWith(INCOMING)) {
      await Deno.remove(`${dir}/${entry.name}`);
    }
  }
}

/**
 * At most `width` holders at once; the rest wait in order. serve reads a
 * few deliveries at a time: reading is work for its one thread, so 150 at
 * once are no faster than a few, but each costs its buffers and garbage
 * (150 at once took serve from 49 MB to 85 MB; the VMs waiting meanwhile
 * keep their bodies in their own socket buffers).
 */
export class Slots {
  readonly #width: number;
  #held = 0;
  #waiting: (() => void)[] = [];

  /** `width` slots. */
  constructor(width: number) {
    this.#width = width;
  }

  /** Waits for a slot; the function returned gives it back. */
  async take(): Promise<() => void> {
    if (this.#held >= this.#width) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#held++;
    }
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.#waiting.shift();
      // The slot passes straight to the next in line.
      if (next) next();
      else this.#held--;
    };
  }
}

/**
 * A full garbage collection after every `every` deliveries read, and after
 * every `bytes` read in all (deliveries vary: 16 of 1 MiB leave 64 times
 * the garbage of 16 of 16 KiB). What a delivery leaves behind (its request
 * and body stream, its read buffer, its spool's buffer, its parsed lines)
 * lives through a young-generation collection or two, is moved to the old
 * generation, and stays there: V8 collects that only once it has grown by
 * several times what is alive, and the `ArrayBuffer`s' native memory
 * (outside its heap figures) only after 64 MB of them. 150 VMs posting at
 * once took serve's JS heap to 27 MB committed with 11 MB of
 * `ArrayBuffer`s beside it, and serve to 72–99 MB resident (`bench:serve
 * --records`); with a collection every 16 deliveries, 9–11 MB and 1–4 MB,
 * 61.1–62.6 MB resident (6 runs), in the same time (a collection takes
 * ~4 ms); with one every 2 MiB read as well, 59.5–59.9 MB (3 runs; every
 * 4 MiB, 60.2–60.4 MB), 4.8–5.9 s until all stored against 5.2–5.9 s. Needs
 * `--v8-flags=--expose-gc` (serve's flags, lib/roles.ts and deno.json);
 * without it, nothing.
 */
export class Collector {
  readonly #every: number;
  readonly #bytes: number;
  #count = 0;
  #read = 0;

  /** A collection after every `every` deliveries, or `options.bytes` read. */
  constructor(every: number, options: { bytes?: number } = {}) {
    this.#every = every;
    this.#bytes = options.bytes ?? Infinity;
  }

  /** One more delivery read (kept or not). */
  read(): void {
    if (++this.#count >= this.#every) this.#collect();
  }

  /** `count` more bytes read. */
  bytes(count: number): void {
    this.#read += count;
    if (this.#read >= this.#bytes) this.#collect();
  }

  #collect(): void {
    this.#count = 0;
    this.#read = 0;
    const { gc } = globalThis as { gc?: () => void };
    gc?.();
  }
}

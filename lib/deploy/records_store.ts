/**
 * serve's store of what the VMs it installed recorded (`serve --records
 * DIR`, default `records/` next to the served directory).
 *
 * ## The store's format (what `lab report --records DIR` reads)
 *
 * One file per VM, `DIR/<vmid>.jsonl`. The VM's id is chosen by serve when
 * the VM asks for `install.sh`: `vm-<n>-<address with dots as dashes>`
 * (`vm-3-192-168-122-131`), `n` counting the VMs serve installed. Nothing a
 * VM sends (its host name, any field) ever picks a path.
 *
 * Each line is one JSON object, in the order deliveries arrived:
 *
 * - a recording entry exactly as the lab's host files hold them
 *   (`lib/cli/recording.ts`: `t`, `pid` and one of `start`, `record`,
 *   `text`, `pattern`, `end`), with `t` put on the host's clock (the VM's
 *   `t` plus the offset serve estimated for that delivery) and a `run`
 *   field, the run's id (unique per role run, made on the VM):
 *   `{"t":1764482280123,"pid":4242,"run":"20251130T061800-4242-1a2b3c4d","start":{…}}`;
 * - `{"t":hostMs,"vm":{"id":"vm-3-…","hostname":"alpine-2","address":"192.168.122.131","prefix":24,"broadcast":"192.168.122.255","installedFrom":"192.168.122.131"}}`:
 *   what the VM reported of itself (host name, eth0's IPv4 address, prefix
 *   and broadcast address) and the address that asked for install.sh;
 *   written at the VM's first delivery and again whenever it changes,
 *   before that delivery's entries;
 * - `{"t":hostMs,"clock":{"offsetMs":-183000,"run":"…"}}`: the last line of
 *   every delivery: serve's estimate of host clock minus VM clock for it
 *   (`run` absent for a delivery of the facts only). It is the time serve
 *   received the delivery minus the VM's clock as the VM sent it, so it is
 *   too large by the time the request took to reach serve: a few
 *   milliseconds on a lab's network. A line after the last `clock` line is
 *   a delivery cut short (serve stopped while writing): serve removes it
 *   when it opens the store.
 *
 * A run is delivered whole, once: serve refuses (with a success status) a
 * run id it already has, so a VM may retry safely. Lines of one run are in
 * the order the role recorded them; sort by `t` to merge VMs.
 *
 * `DIR/.vms.json` (written atomically) keeps the VMs serve installed:
 * their ids, the addresses that asked and the secrets' SHA-256, so that
 * VMs installed before serve restarted still deliver.
 *
 * ## What is refused (status, one event, the store unchanged)
 *
 * No or unknown secret (401), a secret used from another address than the
 * one it was issued to (403), a head or entry that is not valid (400), an
 * entry or run over its bound (413), a VM's file or the whole store that
 * would pass its bound (507).
 *
 * @example A store in a temporary directory
 * ```ts
 * import { RecordsStore } from "./records_store.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const store = await RecordsStore.open(dir);
 * const issued = await store.issue("192.168.122.131");
 * console.log(issued?.vm); // "vm-1-192-168-122-131"
 * const refused = await store.receive({
 *   client: "192.168.122.131",
 *   authorization: null,
 *   body: null,
 * });
 * console.log(refused.status); // 401
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

import type { Text } from "../cli/i18n.ts";
import {
  type DeliveryHead,
  HEAD_LIMIT,
  isSecret,
  type VmFacts,
} from "./delivery.ts";
import {
  loadVmList,
  type SavedVm,
  saveVmList,
  scanVmFile,
  StoreFileError,
  type VmFile,
} from "./_records_files.ts";
import { type ReadRun, readRun } from "./_records_read.ts";
import {
  clearIncoming,
  Collector,
  Slots,
  Spool,
  writeAll,
} from "./_records_spool.ts";

export { StoreFileError };

/** The store's bounds, in bytes (and VMs). */
export interface RecordsLimits {
  /** One entry (one line as the VM sent it). */
  entry: number;
  /** One run (a delivery's body). */
  run: number;
  /** One VM's file. */
  vm: number;
  /** Every VM's file together. */
  store: number;
  /** VMs serve issues secrets to. */
  vms: number;
}

/** The bounds without flags: 1 MB, 64 MB, 256 MB, 1 GB, 254 VMs. */
export const RECORDS_LIMITS: Readonly<RecordsLimits> = {
  entry: 1_000_000,
  run: 64_000_000,
  vm: 256_000_000,
  store: 1_000_000_000,
  vms: 254,
};

/** What install.sh gets for a VM. */
export interface Issued {
  /** The VM's id (its file is `<vm>.jsonl`). */
  vm: string;
  /** The secret it sends with its deliveries. */
  secret: string;
}

/** One `POST /records` as the store needs it. */
export interface Delivery {
  /** The address it came from. */
  client: string;
  /** Its `Authorization` header. */
  authorization: string | null;
  /** Its `Content-Length`, when it said. */
  contentLength?: number;
  /** Its body. */
  body: ReadableStream<Uint8Array> | null;
}

/** What a delivery did, for serve's log line and the answer to the VM. */
export type RecordsEvent =
  | {
    type: "run";
    vm: string;
    hostname: string;
    client: string;
    run: string;
    role?: string;
    startMs: number;
    endMs: number;
    ended: boolean;
    entries: number;
    offsetMs: number;
    file: string;
  }
  | { type: "duplicate"; vm: string; hostname: string; run: string }
  | {
    type: "facts";
    vm: string;
    hostname: string;
    client: string;
    address?: string;
    offsetMs: number;
    file: string;
  }
  | {
    type: "refused";
    client: string;
    status: number;
    reason: Text;
    vm?: string;
  };

/** A delivery's outcome: the HTTP status and what happened. */
export interface Received {
  /** 200, or why not (401, 403, 400, 413, 507). */
  status: number;
  /** What happened. */
  event: RecordsEvent;
}

/** Options for {@linkcode RecordsStore.open}. */
export interface RecordsStoreOptions {
  /** The bounds (each defaults to {@linkcode RECORDS_LIMITS}'s). */
  limits?: Partial<RecordsLimits>;
  /** The host's clock (tests); `Date.now` by default. */
  now?: () => number;
}

/** Deliveries read at once (the others wait: `_records_spool.ts`). */
const READING = 8;

/** Deliveries read between two full collections (`_records_spool.ts`). */
const COLLECT_EVERY = 16;

/** Bytes read between two full collections, at most (`_records_spool.ts`). */
const COLLECT_BYTES = 2 * 1024 * 1024;

/** The secrets kept per VM (every install.sh asked for by its address). */
const SECRETS_KEPT = 16;

interface Vm extends SavedVm, VmFile {}

/** serve's store (see the module's documentation for its format). */
export class RecordsStore {
  /** Its directory. */
  readonly dir: string;
  /** Its bounds. */
  readonly limits: Readonly<RecordsLimits>;
  #now: () => number;
  #vms: Vm[] = [];
  #next = 1;
  #queue: Promise<unknown> = Promise.resolve();
  /** Spools made, for their names. */
  #spools = 0;
  /** Bytes in spools now (deliveries being read). */
  #spooling = 0;
  #reading = new Slots(READING);
  #collector = new Collector(COLLECT_EVERY, { bytes: COLLECT_BYTES });
  /** The bytes of every VM's file (checked against the store's bound per entry). */
  #size = 0;

  private constructor(dir: string, options: RecordsStoreOptions) {
    this.dir = dir;
    this.limits = { ...RECORDS_LIMITS, ...options.limits };
    this.#now = options.now ?? Date.now;
  }

  /**
   * Opens (making it if need be) the store in `dir`: reads `.vms.json`,
   * the run ids and sizes of the VMs' files, and cuts off a delivery that
   * was cut short. Throws {@linkcode StoreFileError} for a damaged
   * `.vms.json`, and the file system's errors as they come.
   */
  static async open(
    dir: string,
    options: RecordsStoreOptions = {},
  ): Promise<RecordsStore> {
    const store = new RecordsStore(dir, options);
    await Deno.mkdir(dir, { recursive: true });
    await clearIncoming(dir);
    await store.#load();
    return store;
  }

  /** The bytes of every VM's file. */
  get size(): number {
    return this.#size;
  }

  /** The VMs serve has issued secrets to. */
  get vmCount(): number {
    return this.#vms.length;
  }

  /** The file of VM `id`. */
  fileOf(id: string): string {
    return `${this.dir}/${id}.jsonl`;
  }

  /**
   * A secret for the VM at `address` (its id: the one it already has, or a
   * new one), kept in `.vms.json` before this resolves; `undefined` when
   * serve has issued secrets to {@linkcode RecordsLimits.vms} VMs.
   */
  issue(address: string): Promise<Issued | undefined> {
    return this.#exclusive(async () => {
      const client = plainAddress(address);
      let vm = this.#vms.find((v) => v.address === client);
      if (!vm) {
        if (this.#vms.length >= this.limits.vms) return undefined;
        const tail = client.toLowerCase().replace(/[^0-9a-z]+/g, "-")
          .replace(/^-+|-+$/g, "").slice(0, 45) || "x";
        vm = {
          id: `vm-${this.#next++}-${tail}`,
          address: client,
          secrets: [],
          issuedAt: this.#now(),
          runs: new Set(),
          size: 0,
        };
        this.#vms.push(vm);
      }
      const secret = hex(crypto.getRandomValues(new Uint8Array(32)));
      vm.secrets = [...vm.secrets, await sha256(secret)].slice(-SECRETS_KEPT);
      await this.#saveVms();
      return { vm: vm.id, secret };
    });
  }

  /**
   * Takes one delivery: checks it whole, then appends it to its VM's file
   * (see the module's documentation) and syncs the file before resolving.
   * Anything refused leaves the store as it was.
   */
  async receive(delivery: Delivery): Promise<Received> {
    const receivedAt = this.#now();
    const { client } = delivery;
    const from = plainAddress(client);
    const refuse = (status: number, reason: Text, vm?: Vm): Received => {
      delivery.body?.cancel().catch(() => {});
      return {
        status,
        event: { type: "refused", client: from, status, reason, vm: vm?.id },
      };
    };
    const bearer = /^Bearer ([0-9a-f]{64})$/.exec(
      delivery.authorization ?? "",
    )?.[1];
    if (!isSecret(bearer)) {
      return refuse(401, {
        en: "no install secret (only VMs this serve installed deliver)",
        id:
          "tanpa rahasia pemasangan (hanya VM yang dipasang serve ini yang mengirim)",
      });
    }
    const hash = await sha256(bearer);
    const vm = this.#vms.find((v) => v.secrets.includes(hash));
    if (!vm) {
      return refuse(401, {
        en:
          "unknown secret (not installed with this records store: run the paste line on the VM again)",
        id:
          "rahasia tidak dikenal (tidak dipasang dengan penyimpanan rekaman ini: jalankan baris tempel di VM lagi)",
      });
    }
    if (vm.address !== from) {
      return refuse(403, {
        en: `the secret of ${vm.id} (${vm.address}) sent from ${from}`,
        id: `rahasia ${vm.id} (${vm.address}) dikirim dari ${from}`,
      }, vm);
    }
    const limit = this.limits.run + HEAD_LIMIT;
    if (
      delivery.contentLength !== undefined && delivery.contentLength > limit
    ) {
      return refuse(413, {
        en:
          `a run of ${delivery.contentLength} bytes, at most ${this.limits.run} (--records-max-run)`,
        id:
          `jalannya role ${delivery.contentLength} byte, paling banyak ${this.limits.run} (--records-max-run)`,
      }, vm);
    }
    if (!delivery.body) {
      return refuse(400, {
        en: "not valid: no body",
        id: "tidak sah: tanpa isi",
      }, vm);
    }

    // The run's entries go to a spool file as they are checked (a class
    // sending at once must not hold every run in memory); only a run checked
    // whole is copied onto the VM's file.
    let spool: Spool | undefined;
    const name = `${vm.id}.${++this.#spools}`;
    const done = await this.#reading.take();
    try {
      const read = await readRun(delivery.body, {
        limits: this.limits,
        offsetMs: (head) => receivedAt - head.clock,
        has: (run) => vm.runs.has(run),
        entry: (line) => {
          spool ??= Spool.create(this.dir, name);
          const before = spool.size;
          spool.line(line);
          this.#spooling += spool.size - before;
          this.#collector.bytes(spool.size - before);
          if (this.size + this.#spooling > this.limits.store) {
            throw new StoreWouldPass();
          }
          return Promise.resolve();
        },
      });
      if ("refused" in read) return refuse(read.status, read.refused, vm);
      const { head } = read;
      if (read.duplicate) return duplicate(vm, head);
      spool?.close();
      // Read: the next delivery may be read while this one is kept.
      done();
      return await this.#keep(vm, { read, spool, receivedAt, from });
    } catch (err) {
      if (err instanceof StoreWouldPass) {
        return refuse(507, storeFull(this), vm);
      }
      // The disk (full, gone): the VM keeps the run and sends it again.
      const why = (err instanceof Error ? err.message : String(err))
        .split("\n", 1)[0];
      return refuse(507, {
        en: `serve could not keep it: ${why}`,
        id: `serve tidak bisa menyimpannya: ${why}`,
      }, vm);
    } finally {
      done();
      if (spool) {
        this.#spooling -= spool.size;
        spool.remove();
      }
      this.#collector.read();
    }
  }

  /** Appends a run checked whole (its spool) to its VM's file. */
  #keep(
    vm: Vm,
    delivery: {
      read: ReadRun;
      spool: Spool | undefined;
      receivedAt: number;
      from: string;
    },
  ): Promise<Received> {
    const { read, spool, receivedAt, from } = delivery;
    const { head, role, startMs, endMs, ended, entries } = read;
    const offsetMs = receivedAt - head.clock;
    const refuse = (status: number, reason: Text): Received => ({
      status,
      event: { type: "refused", client: from, status, reason, vm: vm.id },
    });
    return this.#exclusive(async () => {
      if (head.run !== null && vm.runs.has(head.run)) {
        return duplicate(vm, head);
      }
      const facts = JSON.stringify({
        id: vm.id,
        hostname: head.vm.hostname,
        address: head.vm.address,
        prefix: head.vm.prefix,
        broadcast: head.vm.broadcast,
        installedFrom: vm.address,
      });
      const encoder = new TextEncoder();
      const before = encoder.encode(
        facts === vm.facts ? "" : `{"t":${receivedAt},"vm":${facts}}\n`,
      );
      const after = encoder.encode(
        JSON.stringify({
          t: receivedAt,
          clock: head.run === null ? { offsetMs } : { offsetMs, run: head.run },
        }) + "\n",
      );
      const bytes = before.length + (spool?.size ?? 0) + after.length;
      if (vm.size + bytes > this.limits.vm) {
        return refuse(507, {
          en:
            `${vm.id}'s file would pass ${this.limits.vm} bytes (--records-max-vm)`,
          id:
            `berkas ${vm.id} akan melewati ${this.limits.vm} byte (--records-max-vm)`,
        });
      }
      if (this.size + bytes > this.limits.store) {
        return refuse(507, storeFull(this));
      }
      await this.#append(vm, [before, spool, after], bytes);
      vm.facts = facts;
      const file = this.fileOf(vm.id);
      if (head.run === null) {
        return {
          status: 200,
          event: {
            type: "facts",
            vm: vm.id,
            hostname: head.vm.hostname,
            client: from,
            address: head.vm.address,
            offsetMs,
            file,
          },
        };
      }
      vm.runs.add(head.run);
      return {
        status: 200,
        event: {
          type: "run",
          vm: vm.id,
          hostname: head.vm.hostname,
          client: from,
          run: head.run,
          role,
          startMs,
          endMs,
          ended,
          entries,
          offsetMs,
          file,
        },
      };
    });
  }

  /** Appends `parts` (`bytes` in all) to `vm`'s file, synced; none of it on a failure. */
  async #append(
    vm: Vm,
    parts: (Uint8Array | Spool | undefined)[],
    bytes: number,
  ): Promise<void> {
    const file = Deno.openSync(this.fileOf(vm.id), {
      append: true,
      create: true,
      mode: 0o644,
    });
    try {
      // Into the page cache (see _records_spool.ts), then synced.
      for (const part of parts) {
        if (part instanceof Uint8Array) writeAll(file, part);
        else part?.copyTo(file);
      }
      // Acknowledged means on the disk: the VM then drops its copy.
      await file.syncData();
    } catch (err) {
      // A delivery cut short would join the next one's lines: cut it off.
      try {
        file.truncateSync(vm.size);
      } catch {
        // the first error says enough
      }
      throw err;
    } finally {
      file.close();
    }
    vm.size += bytes;
    this.#size += bytes;
  }

  /** Runs `body` after every earlier one (issues and appends never overlap). */
  #exclusive<T>(body: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(body);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #load(): Promise<void> {
    const list = await loadVmList(this.dir);
    this.#next = list.next;
    this.#vms = [];
    for (const saved of list.vms) {
      this.#vms.push({ ...saved, ...await scanVmFile(this.fileOf(saved.id)) });
    }
    this.#size = this.#vms.reduce((sum, vm) => sum + vm.size, 0);
  }

  #saveVms(): Promise<void> {
    return saveVmList(this.dir, {
      next: this.#next,
      vms: this.#vms.map(({ id, address, secrets, issuedAt }) => ({
        id,
        address,
        secrets,
        issuedAt,
      })),
    });
  }
}

/** The store's bound was reached (while a delivery was being read). */
class StoreWouldPass extends Error {}

function storeFull(store: RecordsStore): Text {
  return {
    en:
      `the store would pass ${store.limits.store} bytes (--records-max-store)`,
    id:
      `penyimpanan akan melewati ${store.limits.store} byte (--records-max-store)`,
  };
}

function duplicate(vm: Vm, head: DeliveryHead): Received {
  return {
    status: 200,
    event: {
      type: "duplicate",
      vm: vm.id,
      hostname: head.vm.hostname,
      run: head.run!,
    },
  };
}

/** `::ffff:192.168.122.131` → `192.168.122.131`. */
function plainAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return hex(new Uint8Array(digest));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Re-exported for the store's users: the facts a VM reports. */
export type { VmFacts };

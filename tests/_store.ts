/**
 * Test helper: serve's store of the VMs' runs (`serve --records DIR`)
 * written as serve writes it: `DIR/<vm>.jsonl`, one file per VM; each run
 * delivered whole (its entries with `run`, times on the host's clock), the
 * VM's facts (`vm`) before its first delivery and the delivery's `clock`
 * line after it.
 *
 * @module
 */

/** One VM of a store. */
export interface StoreVm {
  /** Its id (the file's name). */
  id: string;
  /** The host name it reports. */
  hostname: string;
  /** eth0's address. */
  address: string;
  /** The host's clock minus the VM's, ms. */
  offsetMs?: number;
}

/** One entry of a run: when (ms after the run's start) and what. */
export type StoreEntry = [number, Record<string, unknown>];

/** A store being written, one VM file at a time. */
export class Store {
  readonly dir: string;
  #lines = new Map<string, string[]>();
  #vms = new Map<string, StoreVm>();
  #serial = 0;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Adds `vm` (its facts go first in its file). */
  vm(vm: StoreVm): StoreVm {
    this.#vms.set(vm.id, vm);
    this.#lines.set(vm.id, [JSON.stringify({
      t: 0,
      vm: {
        id: vm.id,
        hostname: vm.hostname,
        address: vm.address,
        prefix: 24,
        broadcast: "192.168.122.255",
        installedFrom: vm.address,
      },
    })]);
    return vm;
  }

  /**
   * One run of `role` on `vm` from `startMs` (host clock), its entries, and
   * its end with `code` one ms after the last.
   */
  run(
    vm: StoreVm,
    role: string,
    startMs: number,
    entries: StoreEntry[],
    options: { argv?: string[]; code?: number; lang?: string } = {},
  ): void {
    const run = `run-${++this.#serial}`;
    const pid = 1000 + this.#serial;
    const lines = this.#lines.get(vm.id)!;
    const line = (t: number, body: Record<string, unknown>) =>
      lines.push(JSON.stringify({ t, pid, run, ...body }));
    line(startMs, {
      start: {
        role,
        argv: options.argv ?? [],
        lang: options.lang ?? "id",
        via: "command",
      },
    });
    for (const [dt, body] of entries) line(startMs + dt, body);
    const end = startMs + (entries.at(-1)?.[0] ?? 0) + 1;
    line(end, { end: { code: options.code ?? 0, dropped: 0 } });
    lines.push(JSON.stringify({
      t: end + 3,
      clock: { offsetMs: vm.offsetMs ?? 3, run },
    }));
  }

  /** Writes every VM's file. */
  async write(): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
    for (const [id, lines] of this.#lines) {
      await Deno.writeTextFile(
        `${this.dir}/${id}.jsonl`,
        lines.join("\n") + "\n",
      );
    }
  }
}

/** A broadcast-sender's entries: `count` datagrams, one each `everyMs`. */
export function senderEntries(count: number, everyMs: number): StoreEntry[] {
  const entries: StoreEntry[] = [[1, {
    record: {
      type: "sending",
      from: "0.0.0.0",
      to: "255.255.255.255",
      port: 5005,
    },
  }]];
  for (let n = 1; n <= count; n++) {
    entries.push([1 + n * everyMs, {
      record: { type: "sent", seq: n, bytes: 24 },
    }]);
  }
  const seconds = ((count - 1) * everyMs) / 1000;
  entries.push([2 + count * everyMs, {
    record: {
      type: "summary",
      sent: count,
      bytes: count * 24,
      seconds,
      rate: 0,
    },
  }]);
  return entries;
}

/**
 * A broadcast-receiver's entries that got `first`…`last`, the first at
 * `atMs` after its start, one each `everyMs`; its summary as it printed it.
 */
export function receiverEntries(
  first: number,
  last: number,
  atMs: number,
  everyMs: number,
): StoreEntry[] {
  const entries: StoreEntry[] = [
    [1, { record: { type: "listening", address: "0.0.0.0", port: 5005 } }],
    [2, {
      pattern: [
        "pesan dari 192.168.122.207",
        "diterima \u0000",
        "dikirim oleh (192.168.122.207, 40000)",
      ],
    }],
  ];
  for (let n = first; n <= last; n++) {
    entries.push([atMs + (n - first) * everyMs, {
      record: {
        type: "datagram",
        from: "192.168.122.207",
        port: 40000,
        bytes: 24,
        seq: n,
        text: ` BROADCAST ini angka ${n} `,
      },
    }]);
  }
  const end = atMs + (last - first + 1) * everyMs + 50;
  entries.push([end, {
    record: {
      type: "summary",
      received: last - first + 1,
      firstSeq: first,
      lastSeq: last,
      gaps: 0,
      missing: 0,
      missedBeforeFirst: first - 1,
    },
  }]);
  entries.push([end, {
    text: `angka pertama ${first}: terlewat ${
      first - 1
    } yang dikirim sebelum penerima ini mulai`,
  }]);
  return entries;
}

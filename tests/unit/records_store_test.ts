/**
 * serve's store of the VMs' records (lib/deploy/records_store.ts), in
 * process: the format of a VM's file, one run once, a secret per install
 * tied to its address, every refusal leaving the store as it was, the
 * bounds, and a restart that keeps the secrets and the runs.
 */

import assert from "node:assert/strict";
import { type Delivery, RecordsStore } from "../../lib/deploy/records_store.ts";
import { Collector } from "../../lib/deploy/_records_spool.ts";

const VM_ADDRESS = "192.168.122.131";
const FACTS = {
  hostname: "alpine-2",
  address: VM_ADDRESS,
  prefix: 24,
  broadcast: "192.168.122.255",
};

/** A role's run as the VM's recording holds it, its times on the VM's clock. */
function runLines(pid: number, vmStart: number, datagrams = 3): string[] {
  const lines: Record<string, unknown>[] = [
    {
      t: vmStart,
      pid,
      start: {
        role: "broadcast-receiver",
        argv: [],
        lang: "en",
        via: "command",
      },
    },
    { t: vmStart + 1, pid, record: { type: "listening", port: 5005 } },
  ];
  for (let i = 1; i <= datagrams; i++) {
    lines.push({
      t: vmStart + 10 + i,
      pid,
      record: { type: "datagram", seq: i, text: ` BROADCAST ini angka ${i} ` },
    });
  }
  lines.push({ t: vmStart + 100, pid, end: { code: 0, dropped: 0 } });
  return lines.map((l) => JSON.stringify(l));
}

interface BodyOptions {
  run: string | null;
  clock: number;
  vm?: Record<string, unknown>;
  lines?: string[];
}

function body(options: BodyOptions): string {
  const head = JSON.stringify({
    progjar: 1,
    run: options.run,
    clock: options.clock,
    vm: options.vm ?? FACTS,
  });
  return [head, ...options.lines ?? []].join("\n") + "\n";
}

function delivery(
  text: string | Uint8Array,
  secret: string | null,
  client = VM_ADDRESS,
): Delivery {
  const bytes = typeof text === "string"
    ? new TextEncoder().encode(text)
    : text;
  return {
    client,
    authorization: secret === null ? null : `Bearer ${secret}`,
    contentLength: bytes.length,
    body: new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
  };
}

/** Every file of `dir` with its bytes, to tell that nothing changed. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    files[entry.name] = await Deno.readTextFile(`${dir}/${entry.name}`);
  }
  return files;
}

async function withStore(
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pj_records_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("records store: a run is kept once, on the host's clock, with its run id, the VM's facts first and the clock last", async () => {
  await withStore(async (dir) => {
    let now = 1_764_482_400_000;
    const store = await RecordsStore.open(dir, { now: () => now });
    const issued = (await store.issue(VM_ADDRESS))!;
    assert.equal(issued.vm, "vm-1-192-168-122-131");
    assert.match(issued.secret, /^[0-9a-f]{64}$/);

    // The VM's clock is 183 s behind the host's.
    const vmNow = now - 183_000;
    const run = "20251130T061800-4242-1a2b3c4d";
    const lines = runLines(4242, vmNow - 5000);
    const got = await store.receive(
      delivery(body({ run, clock: vmNow, lines }), issued.secret),
    );
    assert.equal(got.status, 200, JSON.stringify(got));
    assert.equal(got.event.type, "run");
    if (got.event.type !== "run") return;
    assert.equal(got.event.role, "broadcast-receiver");
    assert.equal(got.event.entries, lines.length);
    assert.equal(got.event.offsetMs, 183_000);
    assert.equal(got.event.startMs, now - 5000);
    assert.equal(got.event.ended, true);

    const file = `${dir}/vm-1-192-168-122-131.jsonl`;
    const stored = (await Deno.readTextFile(file)).trimEnd().split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(stored[0], {
      t: now,
      vm: {
        id: "vm-1-192-168-122-131",
        ...FACTS,
        installedFrom: VM_ADDRESS,
      },
    });
    assert.deepEqual(stored.at(-1), {
      t: now,
      clock: { offsetMs: 183_000, run },
    });
    const entries = stored.slice(1, -1);
    assert.equal(entries.length, lines.length);
    lines.forEach((line, i) => {
      const sent = JSON.parse(line);
      assert.deepEqual(entries[i], { ...sent, t: sent.t + 183_000, run });
    });
    // Key order as the lab's files have it, then run.
    assert.match(
      (await Deno.readTextFile(file)).split("\n")[1],
      /^\{"t":\d+,"pid":4242,"run":"20251130T061800-4242-1a2b3c4d","start":/,
    );

    // The same run again (the VM did not hear the answer): nothing doubled.
    const before = await snapshot(dir);
    now += 60_000;
    const again = await store.receive(
      delivery(body({ run, clock: now - 183_000, lines }), issued.secret),
    );
    assert.equal(again.status, 200);
    assert.equal(again.event.type, "duplicate");
    assert.deepEqual(await snapshot(dir), before);

    // A second run: the facts did not change, no second vm line.
    const second = await store.receive(
      delivery(
        body({
          run: "20251130T062000-4300-ffff0000",
          clock: now - 183_000,
          lines: runLines(4300, now - 190_000),
        }),
        issued.secret,
      ),
    );
    assert.equal(second.status, 200);
    const text = await Deno.readTextFile(file);
    assert.equal(text.match(/"vm":/g)?.length, 1);
    assert.equal(text.match(/"clock":/g)?.length, 2);

    // New facts (another address by DHCP on eth0): a new vm line.
    const moved = { ...FACTS, address: "192.168.122.140" };
    const facts = await store.receive(
      delivery(body({ run: null, clock: now, vm: moved }), issued.secret),
    );
    assert.equal(facts.status, 200);
    assert.equal(facts.event.type, "facts");
    const last = (await Deno.readTextFile(file)).trimEnd().split("\n")
      .slice(-2).map((l) => JSON.parse(l));
    assert.equal(last[0].vm.address, "192.168.122.140");
    assert.deepEqual(last[1], { t: now, clock: { offsetMs: 0 } });
  });
});

Deno.test("records store: the same address gets the same VM id and a new secret; both deliver; another address gets its own", async () => {
  await withStore(async (dir) => {
    const store = await RecordsStore.open(dir);
    const first = (await store.issue(VM_ADDRESS))!;
    const second = (await store.issue(`::ffff:${VM_ADDRESS}`))!;
    assert.equal(second.vm, first.vm);
    assert.notEqual(second.secret, first.secret);
    const other = (await store.issue("192.168.122.7"))!;
    assert.equal(other.vm, "vm-2-192-168-122-7");
    for (const [i, secret] of [first.secret, second.secret].entries()) {
      const got = await store.receive(
        delivery(
          body({
            run: `run-${i}`,
            clock: Date.now(),
            lines: runLines(100 + i, Date.now()),
          }),
          secret,
        ),
      );
      assert.equal(got.status, 200, JSON.stringify(got.event));
    }
  });
});

Deno.test("records store: refused without the secret, from another address, invalid, ../ or control characters in the host name, oversized: status and reason, the store unchanged", async () => {
  await withStore(async (dir) => {
    const store = await RecordsStore.open(dir, {
      limits: { entry: 2000, run: 20_000, vm: 10_000, store: 50_000 },
    });
    const { secret } = (await store.issue(VM_ADDRESS))!;
    const other = (await store.issue("192.168.122.7"))!;
    const good = body({
      run: "kept-1",
      clock: Date.now(),
      lines: runLines(1, Date.now()),
    });
    assert.equal((await store.receive(delivery(good, secret))).status, 200);
    const before = await snapshot(dir);

    const line = (n: number) =>
      JSON.stringify({ t: Date.now(), pid: 7, text: "x".repeat(n) });
    const start = runLines(7, Date.now())[0];
    const cases: [string, Delivery, number, RegExp][] = [
      ["no secret", delivery(good, null), 401, /no install secret/],
      ["a forged secret", delivery(good, "ab".repeat(32)), 401, /unknown/],
      [
        "not a secret",
        {
          ...delivery(good, null),
          authorization: "Bearer ../../etc",
        },
        401,
        /no install secret/,
      ],
      [
        "another VM's secret",
        delivery(good, other.secret),
        403,
        /secret of vm-2-192-168-122-7/,
      ],
      [
        "../ in the host name",
        delivery(
          body({
            run: "r2",
            clock: 1,
            vm: { hostname: "../../etc/passwd" },
            lines: [start],
          }),
          secret,
        ),
        400,
        /bad host name/,
      ],
      [
        "a control character in the host name",
        delivery(
          body({
            run: "r3",
            clock: 1,
            vm: { hostname: "alpine-2\u001b[2J" },
            lines: [start],
          }),
          secret,
        ),
        400,
        /bad host name/,
      ],
      [
        "a newline in the host name",
        delivery(
          body({
            run: "r4",
            clock: 1,
            vm: { hostname: "alpine\n{}" },
            lines: [start],
          }),
          secret,
        ),
        400,
        /bad host name/,
      ],
      [
        "../ in the run id",
        delivery(body({ run: "../x", clock: 1, lines: [start] }), secret),
        400,
        /bad run id/,
      ],
      [
        "a field the VM may not set",
        delivery(
          body({
            run: "r5",
            clock: 1,
            lines: [
              start,
              JSON.stringify({ t: 1, pid: 7, text: "a", run: "x" }),
            ],
          }),
          secret,
        ),
        400,
        /entry 2 not valid: unknown field run/,
      ],
      [
        "an entry of no kind",
        delivery(
          body({
            run: "r6",
            clock: 1,
            lines: [start, JSON.stringify({ t: 1, pid: 7 })],
          }),
          secret,
        ),
        400,
        /no entry kind/,
      ],
      [
        "a run without its start",
        delivery(body({ run: "r7", clock: 1, lines: [line(5)] }), secret),
        400,
        /begins with its start/,
      ],
      [
        "not JSON",
        delivery(
          body({ run: "r8", clock: 1, lines: [start, "{nope"] }),
          secret,
        ),
        400,
        /entry 2 not valid: not JSON/,
      ],
      [
        "not UTF-8",
        delivery(
          new Uint8Array([
            ...new TextEncoder().encode(
              body({ run: "r9", clock: 1, lines: [start] }),
            ),
            0xff,
            0xfe,
            0x0a,
          ]),
          secret,
        ),
        400,
        /not UTF-8/,
      ],
      [
        "an entry over its bound",
        delivery(
          body({ run: "r10", clock: 1, lines: [start, line(3000)] }),
          secret,
        ),
        413,
        /entry 2 over 2000 bytes \(--records-max-entry\)/,
      ],
      [
        "a run over its bound, said by its length",
        delivery(
          body({
            run: "r11",
            clock: 1,
            lines: [start, ...Array.from({ length: 30 }, () => line(1000))],
          }),
          secret,
        ),
        413,
        /--records-max-run/,
      ],
      [
        "a run over its bound, not said",
        {
          ...delivery(
            body({
              run: "r12",
              clock: 1,
              lines: [start, ...Array.from({ length: 30 }, () => line(1000))],
            }),
            secret,
          ),
          contentLength: undefined,
        },
        413,
        /a run over 20000 bytes/,
      ],
      [
        "the VM's file over its bound",
        delivery(
          body({
            run: "r13",
            clock: 1,
            lines: [start, ...Array.from({ length: 18 }, () => line(1000))],
          }),
          secret,
        ),
        507,
        /--records-max-vm/,
      ],
    ];
    for (const [what, sent, status, reason] of cases) {
      const got = await store.receive(sent);
      assert.equal(got.status, status, `${what}: ${JSON.stringify(got.event)}`);
      assert.equal(got.event.type, "refused", what);
      if (got.event.type === "refused") {
        assert.match(got.event.reason.en, reason, what);
        assert.ok(got.event.reason.id.length > 0, what);
      }
      assert.deepEqual(await snapshot(dir), before, `${what}: store changed`);
    }

    // The whole store's bound: two VMs' files together.
    const small = await RecordsStore.open(dir, {
      limits: { entry: 2000, run: 20_000, vm: 10_000, store: 1000 },
    });
    const full = await small.receive(
      delivery(
        body({ run: "r14", clock: 1, lines: runLines(9, Date.now()) }),
        other.secret,
        "192.168.122.7",
      ),
    );
    assert.equal(full.status, 507, JSON.stringify(full.event));
    assert.deepEqual(await snapshot(dir), before);
  });
});

Deno.test("records store: restarted, it keeps the secrets and the runs it has, and cuts off a delivery cut short", async () => {
  await withStore(async (dir) => {
    const store = await RecordsStore.open(dir);
    const { secret, vm } = (await store.issue(VM_ADDRESS))!;
    const lines = runLines(5, Date.now());
    const sent = delivery(
      body({ run: "r1", clock: Date.now(), lines }),
      secret,
    );
    assert.equal((await store.receive(sent)).status, 200);
    const file = `${dir}/${vm}.jsonl`;
    const complete = await Deno.readTextFile(file);
    // serve stopped in the middle of writing the next one.
    await Deno.writeTextFile(
      file,
      complete + JSON.stringify({ t: 1, pid: 6, run: "r2", text: "half" }) +
        '\n{"t":2,"pid":6,"ru',
    );

    const restarted = await RecordsStore.open(dir);
    assert.equal(await Deno.readTextFile(file), complete);
    assert.equal(restarted.size, complete.length);
    const again = await restarted.receive(
      delivery(body({ run: "r1", clock: Date.now(), lines }), secret),
    );
    assert.equal(again.event.type, "duplicate");
    const next = await restarted.receive(
      delivery(
        body({ run: "r2", clock: Date.now(), lines: runLines(6, Date.now()) }),
        secret,
      ),
    );
    assert.equal(next.status, 200);
    // The facts were not written again: the file had them.
    assert.equal((await Deno.readTextFile(file)).match(/"vm":/g)?.length, 1);
    // A new VM after the restart gets the next number.
    assert.equal(
      (await restarted.issue("192.168.122.7"))?.vm,
      "vm-2-192-168-122-7",
    );
  });
});

Deno.test("records store: a damaged VM list is one error naming it", async () => {
  await withStore(async (dir) => {
    await Deno.writeTextFile(`${dir}/.vms.json`, "{not json");
    await assert.rejects(
      () => RecordsStore.open(dir),
      (err: Error) => err.name === "StoreFileError",
    );
  });
});

Deno.test("the store's collector: a full collection after every N deliveries or B bytes read, none without gc", () => {
  const global = globalThis as { gc?: () => void };
  const saved = global.gc;
  let collections = 0;
  try {
    delete global.gc;
    const without = new Collector(2);
    for (let i = 0; i < 5; i++) without.read();
    global.gc = () => collections++;
    const collector = new Collector(3);
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) {
      collector.read();
      seen.push(collections);
    }
    assert.deepEqual(seen, [0, 0, 1, 1, 1, 2, 2]);
    // And after every 100 bytes read, counting anew after each collection.
    collections = 0;
    const byBytes = new Collector(3, { bytes: 100 });
    const after: number[] = [];
    for (const count of [60, 30, 20, 99, 1]) {
      byBytes.bytes(count);
      after.push(collections);
    }
    byBytes.read();
    byBytes.read();
    after.push(collections);
    byBytes.read();
    after.push(collections);
    assert.deepEqual(after, [0, 0, 1, 1, 2, 2, 3]);
  } finally {
    if (saved) global.gc = saved;
    else delete global.gc;
  }
});

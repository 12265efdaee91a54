/**
 * `lab report --records DIR` on a store written as serve writes it (five
 * VMs, one of them with a clock 3 minutes behind, one with a host name that
 * is not text to trust): no root, no lab, no `lab.yaml` needed. `--list`
 * numbers the experiments and names the false start; `.md`, `.html` and
 * `.pdf` hold the VMs' names and addresses and each receiver's first
 * number; bad input is one line with its exit code.
 */

import assert from "node:assert/strict";
import { CHROMIUM, pdfText } from "./_chromium.ts";
import { ROOT, runCommand, taskCommand } from "./_dist.ts";
import { parseRecords } from "./_lab.ts";
import { receiverEntries, senderEntries, Store } from "./_store.ts";

const LAB = await taskCommand("lab");

/** `deno task lab …` run in `cwd` (a directory with no lab.yaml). */
async function labIn(cwd: string, args: string[]) {
  const [program, ...rest] = LAB;
  const script = rest.pop()!;
  const result = await runCommand(
    program,
    [...rest, `${ROOT}${script}`, ...args],
    { cwd, env: { LANG: "C.UTF-8", TZ: "UTC" } },
  );
  return { ...result, records: parseRecords(result.stdout) };
}

const HOSTS = [
  ["alpine-2", "192.168.122.131"],
  ["alpine-3", "192.168.122.7"],
  ["alpine-4", "192.168.122.12"],
  ["alpine-5\u001b[2J<b>x</b>", "192.168.122.197"],
] as const;
/** When each receiver joins the endless sender (ms), and so its first number. */
const JOINS = [3000, 7000, 11000, 15000];

/** The practicum as five VMs delivered it to serve, on the host's clock. */
async function practicum(dir: string): Promise<void> {
  const store = new Store(dir);
  const t0 = Date.UTC(2026, 10, 30, 3, 15, 0);
  const sender = store.vm({
    id: "vm-1-192-168-122-207",
    hostname: "alpine-1",
    address: "192.168.122.207",
  });
  const receivers = HOSTS.map(([hostname, address], i) =>
    store.vm({
      id: `vm-${i + 2}-${address.replaceAll(".", "-")}`,
      hostname,
      address,
      offsetMs: hostname === "alpine-3" ? 183_000 : 4,
    })
  );
  // The false start: the first command, before anyone listened.
  store.run(sender, "broadcast-sender", t0, [
    [5, { record: { type: "sending", to: "255.255.255.255", port: 5005 } }],
    [6, { text: "broadcast-sender: galat: jaringan tidak terjangkau" }],
    [7, {
      record: { type: "summary", sent: 0, bytes: 0, seconds: 0, rate: 0 },
    }],
  ], { argv: ["--count", "300"], code: 1 });
  // Receivers first: each got 1…300.
  receivers.forEach((vm, i) =>
    store.run(
      vm,
      "broadcast-receiver",
      t0 + 60_000 + i * 500,
      receiverEntries(1, 300, 10_000 - i * 500, 10),
    )
  );
  store.run(sender, "broadcast-sender", t0 + 70_000, senderEntries(300, 10), {
    argv: ["--count", "300"],
  });
  // Sender first: the endless sender, the receivers one by one, Ctrl+C.
  store.run(sender, "broadcast-sender", t0 + 120_000, senderEntries(2000, 10));
  receivers.forEach((vm, i) =>
    store.run(
      vm,
      "broadcast-receiver",
      t0 + 120_000 + JOINS[i],
      receiverEntries(JOINS[i] / 10 + 1, 2000, 5, 10),
    )
  );
  await store.write();
}

Deno.test("lab report --records: the VMs' practicum, with no root, no lab and no lab.yaml: --list, then .md, .html and .pdf with each receiver's first number; the false start left out", async () => {
  const work = await Deno.makeTempDir({ prefix: "pj_records_" });
  try {
    await practicum(`${work}/records`);
    const list = await labIn(work, [
      "report",
      "--records",
      "records",
      "--list",
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      /^alpine-1 +03:15:00 +broadcast-sender +--count 300 +\d+ +1 +false start: sent nothing$/m,
    );
    assert.match(
      list.stdout,
      /^1 +03:16:00-03:16:\d\d +broadcast-receivers-first +alpine-1, alpine-2, alpine-3, alpine-4, alpine-5\\x1b\[2J<b>x<\/b> +passed +yes$/m,
    );
    assert.match(
      list.stdout,
      /^2 +03:17:00-03:17:\d\d +broadcast-sender-first +alpine-1, .* +passed +yes$/m,
    );
    assert.match(
      list.stdout,
      /^alpine-3: clock 3 min 3 s behind the host's \(times shown on the host's clock\)$/m,
    );
    assert.ok(!list.stdout.includes("\u001b"), "no control character shown");
    const json = await labIn(work, [
      "report",
      "--records",
      "records",
      "--list",
      "--json",
    ]);
    const experiments = json.records.filter((r) => r.type === "experiment");
    assert.deepEqual(
      experiments.map((e) => [e.number, e.scenario, e.complete, e.report]),
      [
        [1, "broadcast-receivers-first", true, true],
        [2, "broadcast-sender-first", true, true],
      ],
    );

    for (const ext of ["md", "html", ...(CHROMIUM ? ["pdf"] : [])]) {
      const made = await labIn(work, [
        "report",
        "--records",
        "records",
        "--report",
        `laporan.${ext}`,
        "--lang",
        "id",
        "--student",
        "Budi Santoso",
        "--nim",
        "5025211001",
      ]);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /tidak dimasukkan: 0 eksperimen lain, 1 run/);
    }
    const html = await Deno.readTextFile(`${work}/laporan.html`);
    const lanes = (scenario: string) =>
      new Map(
        [
          ...html.match(
            new RegExp(
              `<figure data-picture="\\d+-${scenario}">[\\s\\S]*?</figure>`,
            ),
          )![0].matchAll(/data-host="([^"]+)" data-first="(\d*)"/g),
        ].map((m) => [m[1].replace(/\\\\x1b.*/, ""), m[2]]),
      );
    const first = lanes("broadcast-receivers-first");
    const second = lanes("broadcast-sender-first");
    HOSTS.forEach(([host], i) => {
      const name = host.split("\u001b")[0];
      assert.equal(first.get(name), "1", name);
      assert.equal(second.get(name), String(JOINS[i] / 10 + 1), name);
    });
    assert.match(html, /Setiap host adalah salah satu VM Alpine praktikum/);
    assert.match(html, /alpine-3 3 mnt 3 dtk tertinggal dari jam host/);
    assert.match(html, /192\.168\.122\.197/);
    assert.doesNotMatch(html, /<b>x<\/b>/);
    assert.ok(!html.includes("\u001b"), "a control character in the page");
    assert.doesNotMatch(html, /jaringan tidak terjangkau|Tidak lolos/);
    assert.match(html, /Semua 2 skenario lolos cek\./);
    const md = await Deno.readTextFile(`${work}/laporan.md`);
    assert.match(md, /`records`/);
    assert.match(md, /Budi Santoso/);
    if (CHROMIUM) {
      const text = await pdfText(`${work}/laporan.pdf`);
      if (text !== undefined) {
        assert.match(text, /broadcast-sender-first/);
        assert.match(text, /192\.168\.122\.131/);
        // The summary's rows: start, host, command, exit, received, first.
        HOSTS.slice(0, 3).forEach(([host], i) => {
          const first = JOINS[i] / 10 + 1;
          assert.match(
            text,
            new RegExp(
              `${host} +broadcast- +0 +${2001 - first} +${first} +2000 `,
            ),
          );
        });
        // Each lane of the timeline names its first number.
        for (const join of JOINS) {
          assert.match(text, new RegExp(`#${join / 10 + 1}\\b`));
        }
        assert.doesNotMatch(text, /jaringan tidak terjangkau/);
      }
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("lab report --records: bad input is one line with its exit code, the store untouched", async () => {
  const work = await Deno.makeTempDir({ prefix: "pj_records_" });
  try {
    const line = async (args: string[], code: number, pattern: RegExp) => {
      const got = await labIn(work, ["report", ...args]);
      assert.equal(got.code, code, got.stdout + got.stderr);
      assert.equal(got.stderr.trim().split("\n").length, 1, got.stderr);
      assert.match(got.stderr.trim(), pattern);
    };
    await line(
      ["--records", "nowhere", "--list"],
      2,
      /^lab: error: --records: no directory nowhere \(serve keeps/,
    );
    await practicum(`${work}/records`);
    const before = await Deno.readTextFile(
      `${work}/records/vm-1-192-168-122-207.jsonl`,
    );
    await line(
      ["--records", "records", "--only", "3", "--report", "x.html"],
      2,
      /^lab: error: --only: no experiment 3 \(there are 1-2; see --list\)$/,
    );
    await line(
      ["--records", "records", "--only", "two", "--list"],
      2,
      /^lab: error: --only: expected experiment numbers like 2,4/,
    );
    await assert.rejects(Deno.stat(`${work}/x.html`));
    // Only a false start delivered: no experiment to report.
    const lone = new Store(`${work}/lone`);
    const vm = lone.vm({
      id: "vm-1-192-168-122-207",
      hostname: "alpine-1",
      address: "192.168.122.207",
    });
    lone.run(vm, "broadcast-sender", Date.now() - 1000, [
      [7, { record: { type: "summary", sent: 0 } }],
    ], { code: 1 });
    await lone.write();
    await line(
      ["--records", "lone", "--report", "x.html"],
      1,
      /^lab: error: the VMs: no complete experiment in 1 run \(see --list; --only N puts experiment N in anyway\)$/,
    );
    const run = await labIn(work, ["run", "--all", "--records", "records"]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim(), "lab: error: --records is only for report");
    assert.equal(
      await Deno.readTextFile(`${work}/records/vm-1-192-168-122-207.jsonl`),
      before,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

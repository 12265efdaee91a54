/**
 * The broadcast practicum in `lab console --lang id` as a student does it,
 * false starts included: a receiver started and stopped before anything
 * was sent, a sender that fails (a source address of another host), the
 * first command of the course (`broadcast-sender --count 300`, no `--to`)
 * with the receivers listening, then the sender-first order as the course
 * runs it: the endless sender first, the receivers one by one, everything
 * stopped with Ctrl+C. `lab report --list` numbers the two experiments and
 * names the false starts; the report holds each receiver's first number as
 * its pane printed it, and its Kesimpulan does not say the practicum
 * failed; `--only` picks one.
 */

import assert from "node:assert/strict";
import { delay } from "../lib/cli/async.ts";
import { CAN_BUILD_LABS, lab, uniqueLabName } from "./_lab.ts";
import {
  clearPane,
  firstNumbers,
  interrupt,
  type,
  waitFor,
} from "./_console.ts";

const RECEIVERS = ["alpine-2", "alpine-3", "alpine-4", "alpine-5"];

/** The timeline lanes of experiment picture `scenario` in `html`: host → first number. */
function lanesOf(html: string, scenario: string): Map<string, string> {
  const figure = html.match(
    new RegExp(`<figure data-picture="\\d+-${scenario}">[\\s\\S]*?</figure>`),
  )?.[0];
  assert.ok(figure, `no timeline of ${scenario}`);
  return new Map(
    [...figure.matchAll(/data-host="([^"]+)" data-first="(\d*)"/g)]
      .map((m) => [m[1], m[2]]),
  );
}

Deno.test({
  name:
    "lab console --lang id: false starts, then both orders as the course runs them; lab report numbers the experiments, leaves the false starts out and holds each pane's first number",
  ignore: !CAN_BUILD_LABS,
  async fn() {
    const name = uniqueLabName("prk");
    const dir = await Deno.makeTempDir();
    try {
      const made = await lab([
        "console",
        "--detach",
        "--name",
        name,
        "--lang",
        "id",
      ]);
      assert.equal(made.code, 0, made.stderr);

      // False start 1: a receiver started, and stopped before any sender.
      await type(name, "alpine-2", "deno task broadcast-receiver");
      await waitFor(name, "alpine-2", /mendengarkan broadcast/);
      await interrupt(name, "alpine-2");
      await waitFor(name, "alpine-2", /tidak ada datagram berangka/);
      // False start 2: a command copied from alpine-2 (its address).
      await type(
        name,
        "alpine-1",
        "deno task broadcast-sender --count 300 --bind 192.168.122.131",
      );
      await waitFor(name, "alpine-1", /galat: /);
      for (const host of ["alpine-1", "alpine-2"]) await clearPane(name, host);

      // Receivers first, with the course's first command: no --to.
      for (const host of RECEIVERS) {
        await type(name, host, "deno task broadcast-receiver");
      }
      for (const host of RECEIVERS) {
        await waitFor(name, host, /mendengarkan broadcast/);
      }
      await type(
        name,
        "alpine-1",
        "deno task broadcast-sender --count 300 --interval 2",
      );
      const sent = await waitFor(name, "alpine-1", /selesai: 300 datagram/);
      assert.match(sent, /ke 255\.255\.255\.255:5005/);
      assert.doesNotMatch(sent, /tidak terjangkau/);
      await delay(500);
      for (const host of RECEIVERS) await interrupt(name, host);
      const printed: Record<string, number[]> = {};
      for (const host of RECEIVERS) {
        printed[host] = firstNumbers(
          await waitFor(name, host, /angka pertama \d+/),
        );
        await clearPane(name, host);
      }
      await clearPane(name, "alpine-1");

      // Sender first, as the course runs it: the endless sender, then the
      // receivers one by one, then Ctrl+C everywhere.
      await type(name, "alpine-1", "deno task broadcast-sender --interval 2");
      await waitFor(
        name,
        "alpine-1",
        /dikirim {2}BROADCAST ini angka [1-9]\d{2}/,
      );
      for (const host of RECEIVERS) {
        await type(name, host, "deno task broadcast-receiver");
        await waitFor(name, host, /diterima {2}BROADCAST ini angka/);
        await delay(500);
      }
      await interrupt(name, "alpine-1");
      await waitFor(name, "alpine-1", /selesai: \d+ datagram/);
      await delay(300);
      for (const host of RECEIVERS) await interrupt(name, host);
      for (const host of RECEIVERS) {
        printed[host].push(
          ...firstNumbers(await waitFor(name, host, /angka pertama \d+/)),
        );
        assert.equal(printed[host].length, 2, `${host}: ${printed[host]}`);
        assert.equal(printed[host][0], 1, `${host} got everything first`);
        assert.ok(printed[host][1] > 1, `${host} missed the start after`);
      }
      // Started one after the other: each missed more than the one before.
      const later = RECEIVERS.map((h) => printed[h][1]);
      assert.deepEqual([...later].sort((a, b) => a - b), later);

      // --list: every run, the false starts named, the experiments numbered.
      const list = await lab([
        "report",
        "--list",
        "--name",
        name,
        "--lang",
        "id",
      ]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(
        list.stdout,
        /alpine-1 +[\d:]+ +broadcast-sender +--count 300 --bind 192\.168\.122\.131 +\d+ +1 +salah mulai: tidak mengirim apa pun/,
      );
      assert.match(
        list.stdout,
        /alpine-2 +[\d:]+ +broadcast-receiver +\d+ +0 +salah mulai: tidak menerima apa pun/,
      );
      assert.match(
        list.stdout,
        /^1 +[\d:]+-[\d:]+ +broadcast-receivers-first +alpine-1, alpine-2, alpine-3, alpine-4, alpine-5 +lolos +ya$/m,
      );
      assert.match(
        list.stdout,
        /^2 +[\d:]+-[\d:]+ +broadcast-sender-first +alpine-1, alpine-2, alpine-3, alpine-4, alpine-5 +lolos +ya$/m,
      );
      assert.doesNotMatch(list.stdout, /^3 /m);

      const report = `${dir}/laporan.html`;
      const made2 = await lab([
        "report",
        "--name",
        name,
        "--report",
        report,
        "--lang",
        "id",
      ]);
      assert.equal(made2.code, 0, made2.stderr);
      assert.match(
        made2.stdout,
        /tidak dimasukkan: 0 eksperimen lain, 2 run salah mulai; lihat --list/,
      );
      const html = await Deno.readTextFile(report);
      const first = lanesOf(html, "broadcast-receivers-first");
      const second = lanesOf(html, "broadcast-sender-first");
      for (const host of RECEIVERS) {
        const [a, b] = printed[host];
        assert.equal(first.get(host), String(a), `${host}, receivers first`);
        assert.equal(second.get(host), String(b), `${host}, sender first`);
      }
      // Neither false start is in it, and the practicum did not fail.
      assert.doesNotMatch(html, /--bind 192\.168\.122\.131/);
      assert.doesNotMatch(html, /Tidak lolos/);
      assert.match(html, /Semua 2 skenario lolos cek\./);

      // --only: just the one asked for.
      const one = `${dir}/satu.html`;
      const only = await lab([
        "report",
        "--name",
        name,
        "--only",
        "2",
        "--report",
        one,
      ]);
      assert.equal(only.code, 0, only.stderr);
      const html1 = await Deno.readTextFile(one);
      assert.match(html1, /broadcast-sender-first/);
      assert.doesNotMatch(
        html1,
        /data-picture="\d+-broadcast-receivers-first"/,
      );
      const bad = await lab([
        "report",
        "--name",
        name,
        "--only",
        "3",
        "--list",
      ]);
      assert.equal(bad.code, 2);
      assert.equal(
        bad.stderr.trim(),
        "lab: error: --only: no experiment 3 (there are 1-2; see --list)",
      );
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

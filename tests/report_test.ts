import assert from "node:assert/strict";
import { join } from "node:path";
import { CHROMIUM, chromium, pdfPages } from "./_chromium.ts";
import { CHROMIUM_PATHS } from "../lib/report/pdf.ts";
import { ROOT, taskCommand } from "./_dist.ts";
import {
  CAN_BUILD_LABS,
  lab,
  RECEIVERS,
  results,
  uniqueLabName,
} from "./_lab.ts";
import { decodePng } from "./_png.ts";

/** Every `<svg …>…</svg>` of an HTML text. */
function svgsOf(html: string): string[] {
  return html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
}

/** Whether python3's XML parser accepts `text` (null: no python3 here). */
async function isXml(text: string): Promise<boolean | null> {
  try {
    const child = new Deno.Command("python3", {
      args: [
        "-c",
        "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())",
      ],
      stdin: "piped",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    return (await child.status).code === 0;
  } catch {
    return null;
  }
}

/** What in an HTML report could reach the network: nothing may. */
function assertOffline(html: string): void {
  assert.doesNotMatch(html, /https?:\/\//i);
  assert.doesNotMatch(html, /\ssrc\s*=/i);
  assert.doesNotMatch(html, /<(script|link|iframe|object|embed)\b/i);
  assert.doesNotMatch(html, /url\(\s*['"]?(?!#)/i);
}

Deno.test({
  name:
    "lab run --report .html: a lane per host with the run's first numbers, cover in WIB, Kesimpulan, valid SVG, offline; rendered to PNG (not blank) and PDF",
  ignore: !CAN_BUILD_LABS || !CHROMIUM,
  async fn() {
    const name = uniqueLabName("rh");
    const dir = await Deno.makeTempDir({ prefix: "report_test_" });
    const report = join(dir, "laporan.html");
    try {
      const run = await lab([
        "run",
        "--all",
        "--name",
        name,
        "--report",
        report,
        "--json",
        "--lang",
        "id",
        "--student",
        "Budi <Santoso>",
        "--nim",
        "5025211001",
        "--kelas",
        "B",
      ], { env: { TZ: "Asia/Jakarta" } });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const byScenario = results(run.records);
      const html = await Deno.readTextFile(report);
      assertOffline(html);
      assert.match(html, /<b>Budi &lt;Santoso&gt;<\/b>/);
      assert.match(html, /<b>5025211001<\/b>/);
      assert.match(html, /\d{2}\.\d{2} WIB<\/b>/);
      assert.match(html, /<h2 id="conclusion">Kesimpulan<\/h2>/);
      assert.match(html, /Apa bedanya\? Penerima dulu/);
      for (const svg of svgsOf(html)) {
        const ok = await isXml(svg);
        if (ok !== null) assert.ok(ok, svg.slice(0, 200));
      }

      // The DOM as Chromium built it: each broadcast picture has a lane
      // per host, and each receiver's first and last numbers are its summary's.
      const dom = await chromium(report, ["--dump-dom"]);
      for (
        const [index, scenario] of [[2, "broadcast-receivers-first"], [
          3,
          "broadcast-sender-first",
        ]] as const
      ) {
        const figure = dom.match(
          new RegExp(
            `<figure data-picture="${index}-${scenario}">[\\s\\S]*?</figure>`,
          ),
        )?.[0];
        assert.ok(figure, `no picture of ${scenario}`);
        const lanes = [
          ...figure.matchAll(
            /data-host="([^"]+)" data-first="(\d*)" data-last="(\d*)"/g,
          ),
        ];
        assert.deepEqual(lanes.map((l) => l[1]).sort(), [
          "alpine-1",
          ...RECEIVERS,
        ]);
        for (const p of byScenario.get(scenario)!.processes) {
          if (p.role !== "broadcast-receiver") continue;
          const lane = lanes.find((l) => l[1] === p.host)!;
          assert.equal(
            Number(lane[2]),
            p.summary!.firstSeq,
            `${scenario} ${p.host}`,
          );
          assert.equal(
            Number(lane[3]),
            p.summary!.lastSeq,
            `${scenario} ${p.host}`,
          );
        }
      }
      // The sender-first receivers started later and later: first numbers grow.
      const firsts = byScenario.get("broadcast-sender-first")!.processes
        .filter((p) => p.role === "broadcast-receiver")
        .map((p) => p.summary!.firstSeq as number);
      assert.deepEqual([...firsts].sort((a, b) => a - b), firsts);
      assert.ok(firsts[0] > 1);

      // Multicast: the TTL alpine-5's batch receiver read in the IP header,
      // next to the sender's setting.
      const multicast = dom.match(
        /<figure data-picture="4-multicast">[\s\S]*?<\/figure>/,
      )?.[0];
      assert.ok(multicast, "no picture of multicast");
      assert.match(multicast, />TTL 2 \(diatur pengirim\)</);
      assert.match(multicast, />TTL di jaringan: 2 \(dibaca alpine-5\)</);
      // Multicast chat: a column per host, every line of the three peers
      // reaching the others and alpine-4, alpine-5 outside with nothing.
      const groupChat = dom.match(
        /<figure data-picture="5-multicast-chat">[\s\S]*?<\/figure>/,
      )?.[0];
      assert.ok(groupChat, "no picture of multicast-chat");
      for (const host of ["alpine-1", "alpine-2", "alpine-3", "alpine-4"]) {
        assert.match(groupChat, new RegExp(`>${host}</text>`));
      }
      assert.match(groupChat, />bukan anggota</);
      assert.match(groupChat, />menerima 0</);
      assert.equal(groupChat.match(/>“[^<]*”</g)?.length, 6);
      assert.doesNotMatch(groupChat, /<title>tidak tersampaikan<\/title>/);
      assert.match(
        html,
        /Tidak ada server: alpine-1, alpine-2 dan alpine-3 bergabung/,
      );
      assert.match(html, /6 baris, 18 dari 18 penyampaian ke 4 anggota sampai/);

      const png = join(dir, "page.png");
      await chromium(report, ["--window-size=900,1400", `--screenshot=${png}`]);
      const image = await decodePng(await Deno.readFile(png));
      assert.equal(image.width, 900);
      // Text, tables and pictures: well over 2 % of the page is ink.
      assert.ok(
        image.inked > image.width * image.height * 0.02,
        `${image.inked} inked`,
      );

      const pdf = join(dir, "laporan.pdf");
      await chromium(report, [
        "--no-pdf-header-footer",
        `--print-to-pdf=${pdf}`,
      ]);
      const bytes = await Deno.readFile(pdf);
      assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), "%PDF-");
      assert.ok(pdfPages(bytes) >= 3, `${pdfPages(bytes)} pages`);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const DEMO = await taskCommand("demo");

async function demo(args: string[]) {
  const [program, ...rest] = [...DEMO, ...args];
  return await new Deno.Command(program, {
    args: rest,
    cwd: ROOT,
    env: { DENO_NO_UPDATE_CHECK: "1", LANG: "C.UTF-8" },
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test({
  name:
    "demo --report .pdf: a PDF printed by Chromium; .md: its SVG timelines are XML and its links resolve",
  ignore: !CHROMIUM,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "report_demo_" });
    try {
      const pdf = join(dir, "demo.pdf");
      const a = await demo([
        "--count",
        "400",
        "--interval",
        "2",
        "--receivers",
        "2",
        "--report",
        pdf,
      ]);
      assert.equal(a.code, 0, new TextDecoder().decode(a.stderr));
      const bytes = await Deno.readFile(pdf);
      assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), "%PDF-");
      assert.ok(pdfPages(bytes) >= 1);
      // Nothing half-written is left next to it.
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
        "demo.pdf",
      ]);

      const md = join(dir, "demo.md");
      const b = await demo([
        "--count",
        "400",
        "--interval",
        "2",
        "--receivers",
        "2",
        "--report",
        md,
        "--lang",
        "id",
      ]);
      assert.equal(b.code, 0, new TextDecoder().decode(b.stderr));
      const text = await Deno.readTextFile(md);
      const links = [...text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) =>
        decodeURI(m[1])
      );
      assert.equal(links.length, 3, text); // topology + two timelines
      for (const link of links) {
        const svg = await Deno.readTextFile(join(dir, link));
        const ok = await isXml(svg);
        if (ok !== null) assert.ok(ok, link);
      }
      assert.match(text, /^## Kesimpulan$/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("demo --report with an unknown extension: a usage error before anything runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report_bad_" });
  try {
    const out = await demo(["--report", join(dir, "x.txt")]);
    assert.equal(out.code, 2);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.match(stderr, /must end in \.md, \.html or \.pdf/);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
    assert.equal(new TextDecoder().decode(out.stdout), "");
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Whether `unshare -m` works here (root, util-linux): a private mount namespace. */
const CAN_UNSHARE = Deno.uid() === 0 &&
  (await new Deno.Command("unshare", { args: ["-m", "true"] }).output()
    .then((o) => o.success, () => false));

/**
 * A wrapper for {@linkcode lab} that runs it in a private mount namespace
 * where every path the report looks for Chromium at shows `file` instead
 * (/dev/null: no Chromium there; a script: a Chromium that fails).
 */
function chromiumReplacedBy(file: string): string[] {
  const script = `for p in ${
    CHROMIUM_PATHS.join(" ")
  }; do if [ -e "$p" ]; then mount --bind "${file}" "$p" || exit 97; fi; done; exec "$@"`;
  return [
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    script,
    "sh",
  ];
}

Deno.test({
  name:
    "lab run --report x.pdf without Chromium: one line naming the Debian package, exit 1, nothing written, checked before the run",
  ignore: !CAN_UNSHARE,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "report_nochromium_" });
    const name = uniqueLabName("nc");
    try {
      for (const lang of ["en", "id"]) {
        const out = await lab([
          "run",
          "unicast",
          "--name",
          name,
          "--lang",
          lang,
          "--report",
          join(dir, "laporan.pdf"),
        ], { wrapper: chromiumReplacedBy("/dev/null") });
        assert.equal(out.code, 1, out.stderr);
        const lines = out.stderr.trim().split("\n");
        assert.equal(lines.length, 1, out.stderr);
        assert.match(lines[0], /apt-get install chromium/);
        assert.match(
          lines[0],
          lang === "id" ? /laporan \.pdf perlu Chromium/ : /needs Chromium/,
        );
        // Checked first: no lab was built, no scenario ran.
        assert.doesNotMatch(out.stdout, /unicast/);
        assert.deepEqual([...Deno.readDirSync(dir)], []);
      }
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "lab run --report x.pdf when Chromium fails: its last line in one line, exit 1, no file left behind",
  ignore: !CAN_UNSHARE || !CAN_BUILD_LABS,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "report_badchromium_" });
    const tools = await Deno.makeTempDir({ prefix: "report_badchromium_bin_" });
    const fake = join(tools, "chromium");
    await Deno.writeTextFile(
      fake,
      "#!/bin/sh\necho 'starting' >&2\necho 'cannot print: no display' >&2\nexit 3\n",
    );
    await Deno.chmod(fake, 0o755);
    const name = uniqueLabName("bc");
    try {
      const out = await lab([
        "run",
        "unicast",
        "--name",
        name,
        "--report",
        join(dir, "laporan.pdf"),
        // (the capture next to the report stays: it is the run's, not the
        // report's; left out here, where only the report is looked at)
        "--no-capture",
      ], { wrapper: chromiumReplacedBy(fake) });
      assert.equal(out.code, 1, out.stderr);
      // The scenario ran; only the printing failed.
      assert.match(out.stdout, /unicast: ok/);
      const lines = out.stderr.trim().split("\n");
      assert.equal(lines.length, 1, out.stderr);
      assert.match(
        lines[0],
        /chromium could not print the report \(exit 3\): cannot print: no display/,
      );
      // Nothing half-written: no PDF, no HTML or pictures left beside it.
      assert.deepEqual([...Deno.readDirSync(dir)], []);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(tools, { recursive: true });
    }
  },
});

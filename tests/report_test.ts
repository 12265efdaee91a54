import assert from "node:assert/strict";
import { join } from "node:path";
import { CHROMIUM, chromium, pdfPages } from "./_chromium.ts";
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

/**
 * Live view benchmark (`deno task bench:view`): the page's frame rate and
 * the server's memory and CPU while the broadcast lab floods at 50,000
 * datagrams/s. A lab of its own; `lab view` (the task's own command line)
 * watches it; headless Chromium shows the page; a C feeder on alpine-1
 * broadcasts the lab's payload. In the same run, as peers: the same page
 * and server idle (no traffic), and a plain tcpdump capture of alpine-1's
 * interface, whose frame count the view's exact counts must equal.
 *
 * Per phase: the page's frames per second (median and lowest over 1-s
 * windows), its longest gap between two frames, the longest a call into
 * the page waited (how responsive it stays), the server's RSS at the start
 * and at its peak, its CPU time; for the flood, the frames sent, captured
 * and counted. Not a test: figures depend on the machine and its load.
 *
 * Needs root, iproute2, tcpdump, cc and chromium.
 *
 *   deno task bench:view [--rate 50000] [--seconds 10] [--runs 1]
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import puppeteer, { type Page } from "puppeteer-core";
import { delay } from "../lib/cli/async.ts";
import { labDown, labUp } from "../lib/net/netns.ts";
import { parseSubnet } from "../lib/net/subnet.ts";
import { chromiumFlags, findChromium } from "../lib/report/pdf.ts";
import { startCaptures } from "../lib/wire/capture.ts";
import { readCapture } from "../lib/wire/read.ts";
import { benchArgs, runBench } from "./_cli.ts";
import { buildFeeder, ROOT } from "./_peers.ts";
import { readPeakKiB, run } from "./_process.ts";

const LAB = "pjviewbench";
const HOSTS = [
  ["alpine-1", "192.168.122.207"],
  ["alpine-2", "192.168.122.131"],
  ["alpine-3", "192.168.122.7"],
  ["alpine-4", "192.168.122.12"],
  ["alpine-5", "192.168.122.197"],
] as const;

const USAGE =
  `bench:view: the live view's page frame rate and server memory under a flood

Usage:
  deno task bench:view [flags]

Flags:
  --rate N       broadcasts/s offered by alpine-1 (default: 50000)
  --seconds S    seconds of each phase, idle and flood (default: 10)
  --runs N       runs (default: 1)

Needs root, iproute2, tcpdump, cc and chromium. Prints Markdown tables.`;

function log(text: string): void {
  console.error(`[bench:view] ${text}`);
}

interface Phase {
  name: string;
  /** Median and lowest frames per second of the page, over 1-s windows. */
  fps: [number, number];
  /** The longest gap between two of the page's frames, ms. */
  worstFrameMs: number;
  /** The longest a call into the page waited, ms. */
  worstCallMs: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  cpuSeconds: number;
  sent?: number;
  captured?: number;
  counted?: number;
  sampled?: number;
}

/** User and system CPU seconds of a process so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** `deno task lab`'s command line, from deno.json. */
async function labCommand(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const words = (config.tasks.lab as string).split(" ");
  return [Deno.execPath(), ...words.slice(1)];
}

async function phase(
  name: string,
  page: Page,
  view: { pid: number; url: string },
  during: () => Promise<Partial<Phase>>,
): Promise<Phase> {
  await page.evaluate(`window.__frames = []`);
  const rssStart = await rssMiB(view.pid);
  const cpuStart = await cpuSeconds(view.pid);
  let peak = rssStart;
  let worstCall = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssMiB(view.pid));
      const t = performance.now();
      await page.evaluate("1");
      worstCall = Math.max(worstCall, performance.now() - t);
      await delay(250);
    }
  })();
  let extra: Partial<Phase>;
  try {
    extra = await during();
  } finally {
    sampling = false;
    await sampler.catch(() => {});
  }
  const frames = await page.evaluate(`window.__frames`) as number[];
  const windows: number[] = [];
  for (let start = frames[0]; start + 1000 <= frames.at(-1)!; start += 1000) {
    windows.push(frames.filter((t) => t >= start && t < start + 1000).length);
  }
  windows.sort((a, b) => a - b);
  let worstFrame = 0;
  for (let i = 1; i < frames.length; i++) {
    worstFrame = Math.max(worstFrame, frames[i] - frames[i - 1]);
  }
  const summary = await (await fetch(`${view.url}api/summary`)).json();
  return {
    name,
    fps: [windows[windows.length >> 1] ?? 0, windows[0] ?? 0],
    worstFrameMs: Math.round(worstFrame),
    worstCallMs: Math.round(worstCall),
    rssStartMiB: Math.round(rssStart),
    rssPeakMiB: Math.round(peak),
    cpuSeconds: Number((await cpuSeconds(view.pid) - cpuStart).toFixed(2)),
    sampled: summary.sampled,
    ...extra,
  };
}

async function main(): Promise<void> {
  const options = benchArgs("bench:view", USAGE, () =>
    parseArgs({
      args: Deno.args,
      options: {
        rate: { type: "string", default: "50000" },
        seconds: { type: "string", default: "10" },
        runs: { type: "string", default: "1" },
      },
      strict: true,
    }).values);
  const rate = Number(options.rate);
  const seconds = Number(options.seconds);
  const runs = Number(options.runs);
  const chromium = findChromium();
  if (!chromium) {
    throw new Error("chromium is not installed (apt-get install chromium)");
  }
  const work = await Deno.makeTempDir({ prefix: "bench-view-" });
  const feeder = await buildFeeder(work);
  const subnet = parseSubnet("192.168.122.0/24");
  if (typeof subnet === "string") throw new Error(subnet);
  await labUp({
    file: "bench/view_bench.ts",
    name: LAB,
    subnet,
    hosts: HOSTS.map(([name, address]) => ({ name, address })),
  }, LAB);
  const phases: Phase[] = [];
  const [program, ...args] = await labCommand();
  const child = new Deno.Command(program, {
    args: [...args, "view", "--name", LAB, "--port", "0"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!/watching lab/.test(out)) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`lab view ended:\n${out}`);
    out += value;
  }
  const url = /(http:\/\/[\d.]+:\d+\/)/.exec(out)![1];
  const profile = await Deno.makeTempDir({ prefix: "bench-view-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    args: [
      ...chromiumFlags(profile).filter((f) =>
        !f.startsWith("--user-data-dir") && f !== "--headless"
      ),
      "--disable-quic",
    ],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    await page.goto(url, { waitUntil: "load" });
    await page.evaluate(`(function loop(t) {
      (window.__frames ??= []).push(t);
      requestAnimationFrame(loop);
    })(performance.now())`);
    const view = { pid: child.pid, url };
    for (let r = 1; r <= runs; r++) {
      log(`run ${r}: idle ${seconds} s`);
      phases.push(
        await phase(`idle (run ${r})`, page, view, async () => {
          await delay(seconds * 1000);
          return {};
        }),
      );
      log(`run ${r}: flood at ${rate}/s for ${seconds} s`);
      phases.push(
        await phase(`${rate}/s (run ${r})`, page, view, async () => {
          const dir = join(work, `run${r}`);
          const [capture] = await startCaptures(
            [{ name: "alpine-1", netns: `pj_${LAB}_alpine-1` }],
            { dir },
          );
          const before = (await (await fetch(`${url}api/summary`)).json())
            .totals.kinds["udp-broadcast"];
          const fed = await run([
            "ip",
            "netns",
            "exec",
            `pj_${LAB}_alpine-1`,
            feeder,
            "192.168.122.255",
            "5005",
            String(rate),
            String(seconds),
            "192.168.122.207",
          ], (seconds + 10) * 1000);
          await capture.stop();
          // The view's last block of frames (as tcpdump's).
          await delay(1500);
          let captured = 0;
          for await (const f of readCapture(join(dir, "alpine-1.pcap"))) {
            if (f.kind === "udp-broadcast") captured++;
          }
          const sent = JSON.parse(fed.stdout).sent as number;
          const after = (await (await fetch(`${url}api/summary`)).json())
            .totals.kinds["udp-broadcast"];
          return { sent, captured, counted: after - before };
        }),
      );
    }
  } finally {
    await browser.close().catch(() => {});
    const peakKiB = readPeakKiB(child.pid);
    child.kill("SIGINT");
    let rest = "";
    for (;;) {
      const { value, done } = await lines.read();
      if (done) break;
      rest += value;
    }
    await child.status;
    log(rest.trim().split("\n").slice(-3).join(" | "));
    log(`view peak RSS (VmHWM): ${Math.round(peakKiB / 1024)} MiB`);
    await labDown(LAB).catch(() => {});
    await Deno.remove(work, { recursive: true });
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
  console.log(
    "| phase | page fps (median / lowest) | longest frame gap | longest call into the page | view RSS start → peak | view CPU | sent | captured (tcpdump) | counted (view) | sampled out (so far) |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const p of phases) {
    console.log(
      `| ${p.name} | ${p.fps[0]} / ${
        p.fps[1]
      } | ${p.worstFrameMs} ms | ${p.worstCallMs} ms | ${p.rssStartMiB} → ${p.rssPeakMiB} MiB | ${p.cpuSeconds} s | ${
        p.sent ?? "-"
      } | ${p.captured ?? "-"} | ${p.counted ?? "-"} | ${p.sampled ?? "-"} |`,
    );
  }
}

if (import.meta.main) await runBench("bench:view", main);

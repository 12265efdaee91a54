/**
 * `deno task bench:routers`: how much multicast the hop lab's routers carry
 * when they forward in user space. Builds labs/multicast-ttl.yaml under a
 * name of its own, starts the batch multicast receiver on alpine-2 (on the
 * sender's segment: no router, the peer measured in the same run), alpine-3,
 * alpine-4 and alpine-5 (1, 2 and 3 routers away), and per rate a Python
 * sender on alpine-1 paced to that many datagrams per second with TTL 4;
 * prints what each receiver got and what the routers forwarded and dropped.
 * Takes the lab down at the end, whatever happened.
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { findRole } from "../lib/roles.ts";
import { benchArgs, runBench } from "./_cli.ts";
import { ROOT } from "./_peers.ts";

const USAGE = `bench:routers: multicast through the hop lab's user-space routers

Usage:
  sudo deno task bench:routers [--rates 2000,10000,50000] [--seconds 2] [--runs 1]

  --rates LIST  datagrams/s offered, each in turn (default: 2000,10000,50000)
  --seconds S   seconds per run (default: 2)
  --runs N      runs per rate (default: 1)

Needs root, ip and python3. Prints a Markdown table.`;

const options = benchArgs("bench:routers", USAGE, () =>
  parseArgs({
    options: {
      rates: { type: "string", default: "2000,10000,50000" },
      seconds: { type: "string", default: "2" },
      runs: { type: "string", default: "1" },
    },
  }).values);

const RECEIVERS = ["alpine-2", "alpine-3", "alpine-4", "alpine-5"];
const ROUTERS = ["router-1", "router-2", "router-3"];

/** A paced sender: `count` datagrams at `rate`/s to 224.1.1.1:5004, TTL 4. */
const SENDER = `
import socket, sys, time
rate, count = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 4)
start = time.monotonic()
for n in range(1, count + 1):
    while time.monotonic() < start + n / rate:
        pass
    s.sendto(b" BROADCAST ini angka %d " % n, ("224.1.1.1", 5004))
print(f"{count} {time.monotonic() - start:.3f}")
`;

/** `deno task lab`'s command line, from deno.json. */
async function labCommand(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  return String(config.tasks.lab).split(" ");
}

async function lab(args: string[]): Promise<void> {
  const [program, ...rest] = [...await labCommand(), ...args];
  const out = await new Deno.Command(program, {
    args: rest,
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`lab ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** A receiver on a lab host: resolves to its `received` count. */
function receiver(
  name: string,
  host: string,
  seconds: number,
): { ready: Promise<void>; received: Promise<number> } {
  const role = findRole("multicast-receiver:batch")!;
  const child = new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      `pj_${name}_${host}`,
      Deno.execPath(),
      "run",
      ...role.permissions,
      join(ROOT, role.entry),
      ...role.args ?? [],
      "--group",
      "224.1.1.1",
      "--port",
      "5004",
      "--quiet",
      "--json",
      "--duration",
      String(seconds),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let text = "";
  let listening = () => {};
  const ready = new Promise<void>((resolve) => listening = resolve);
  const received = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes('"type":"listening"')) listening();
    }
    await child.status;
    const summary = text.split("\n").filter((l) => l.includes('"summary"'))
      .map((l) => JSON.parse(l)).at(-1);
    if (!summary) throw new Error(`${host}: no summary`);
    return Number(summary.received);
  })();
  return { ready, received };
}

/** The routers' counts now (their status files). */
async function routerStats(
  name: string,
): Promise<{ forwarded: number; dropped: number; lost: number }[]> {
  return await Promise.all(ROUTERS.map(async (router) => {
    const status = JSON.parse(
      await Deno.readTextFile(
        `/run/progjar-lab/routers/pj_${name}_${router}.json`,
      ),
    );
    return {
      forwarded: status.stats?.forwarded ?? 0,
      dropped: status.stats?.dropped?.send ?? 0,
      lost: status.stats?.dropped?.queue ?? 0,
    };
  }));
}

await runBench("bench:routers", async () => {
  const rates = String(options.rates).split(",").map(Number);
  const seconds = Number(options.seconds);
  const runs = Number(options.runs);
  const name = `bhop${Deno.pid % 100000}`;
  console.log(
    "| rate/s | sent | alpine-2 (0 routers) | alpine-3 (1) | alpine-4 (2) | alpine-5 (3) | forwarded by router-1, -2, -3 | lost at arrival (queue full) | send queue full |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  await lab(["up", "--file", "labs/multicast-ttl.yaml", "--name", name]);
  try {
    for (const rate of rates) {
      for (let run = 0; run < runs; run++) {
        const count = Math.round(rate * seconds);
        const receivers = RECEIVERS.map((host) =>
          receiver(name, host, seconds + 3)
        );
        await Promise.all(receivers.map((r) => r.ready));
        const before = await routerStats(name);
        const sent = await new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            `pj_${name}_alpine-1`,
            "python3",
            "-c",
            SENDER,
            String(rate),
            String(count),
          ],
          stdout: "piped",
        }).output();
        const [n, took] = new TextDecoder().decode(sent.stdout).trim().split(
          " ",
        );
        const got = await Promise.all(receivers.map((r) => r.received));
        // The status files are written at most 5 times a second.
        await new Promise((resolve) => setTimeout(resolve, 400));
        const after = await routerStats(name);
        const forwarded = after.map((a, i) =>
          a.forwarded - before[i].forwarded
        );
        const full = after.map((a, i) => a.dropped - before[i].dropped);
        const lost = after.map((a, i) => a.lost - before[i].lost);
        console.log(
          `| ${rate} | ${n} in ${took} s | ${got.join(" | ")} | ${
            forwarded.join(", ")
          } | ${lost.join(", ")} | ${full.join(", ")} |`,
        );
      }
    }
  } finally {
    await lab(["down", "--name", name]);
  }
});

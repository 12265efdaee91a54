/**
 * Chat benchmark: chat-server against `ncat --chat` under the same load
 * generator (bench/_chat_load.ts), at several client counts, in one run.
 *
 * For each size and server: a fresh server process; N clients connect; a
 * *flood* phase measures deliveries per second (every client sends as fast
 * as the server takes it, with a bounded number of messages in flight); a
 * *paced* phase measures send-to-receipt latency at a fixed offered load.
 * Both phases count lost and corrupted deliveries. Server memory is the
 * peak resident set (VmHWM in /proc/<pid>/status).
 *
 *     deno task bench:chat [--sizes 4,50,500] [--rate 20000] [--seconds 3]
 *
 * Not a test: numbers depend on the machine. Needs Linux and `ncat`.
 *
 * @module
 */

import { dirname } from "node:path";
import { benchArgs, runBench } from "./_cli.ts";

import { parseArgs } from "node:util";
import { roleCommand } from "../lib/roles.ts";
import { LoadClients, percentile, type PhaseResult } from "./_chat_load.ts";

const ROOT = dirname(import.meta.dirname!);
const FD_LIMIT = 8192;

const USAGE =
  `bench:chat: chat-server against ncat --chat under one load generator

Usage:
  deno task bench:chat [flags]

Flags:
  --sizes N,N,…      client counts (default: 4,50,500)
  --rate N           deliveries per second in the paced (latency) phase (default: 20000)
  --seconds S        length of the paced phase (default: 3)
  --servers A,B      chat-server and/or ncat (default: chat-server,ncat)
  --repeat N         flood trials per size and server; the median is shown (default: 3)

Needs Linux and ncat (Debian package ncat). Prints a Markdown table.`;

const { values } = benchArgs("bench:chat", USAGE, () =>
  parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string", default: "4,50,500" },
      rate: { type: "string", default: "20000" },
      seconds: { type: "string", default: "3" },
      servers: { type: "string", default: "chat-server,ncat" },
      repeat: { type: "string", default: "3" },
    },
  }));

// 500 clients need more descriptors than a default soft limit of 1024:
// run again under a shell that raised it.
if (Deno.env.get("CHAT_BENCH_FD") === undefined) {
  const status = await new Deno.Command("sh", {
    args: [
      "-c",
      `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`,
      Deno.execPath(),
      "run",
      "-A",
      import.meta.filename!,
      ...Deno.args,
    ],
    env: { CHAT_BENCH_FD: "1" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  Deno.exit(status.code);
}

const sizes = values.sizes.split(",").map(Number);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const servers = values.servers.split(",");
const repeat = Number(values.repeat);

interface Server {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

function shell(command: string[]): string[] {
  const quoted = command.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`);
  return ["-c", `ulimit -n ${FD_LIMIT} 2>/dev/null; exec ${quoted.join(" ")}`];
}

async function startChatServer(): Promise<Server> {
  const child = new Deno.Command("sh", {
    args: shell(roleCommand("chat-server", [
      "--json",
      "--quiet",
      "--bind",
      "127.0.0.1",
      "--port",
      "0",
      "--max-clients",
      "5000",
      "--max-per-host",
      "0",
    ])),
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let port = 0;
  while (port === 0) {
    const { value, done } = await reader.read();
    if (done) throw new Error("chat-server did not start");
    text += value;
    const match = /"type":"listening"[^\n]*"port":(\d+)/.exec(text);
    if (match) port = Number(match[1]);
  }
  // Keep reading (joins and leaves) so the server never blocks on stdout.
  const drained = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  return {
    pid: child.pid,
    port,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
    },
  };
}

async function startNcat(): Promise<Server> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const child = new Deno.Command("sh", {
    args: shell([
      "ncat",
      "--chat",
      "--listen",
      "127.0.0.1",
      String(port),
      "--max-conns",
      "5000",
    ]),
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  // Wait for the listening socket without connecting: ncat --chat quits
  // if a client goes away before it has looked at it.
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
  for (let i = 0; i < 100; i++) {
    const table = Deno.readTextFileSync("/proc/net/tcp");
    if (table.split("\n").some((l) => l.includes(hex) && / 0A /.test(l))) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    pid: child.pid,
    port,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // it already quit
      }
      await child.status;
    },
  };
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime), in clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function memory(pid: number): { hwm: number; rss: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
}

interface Row {
  size: number;
  server: string;
  floods: PhaseResult[];
  paced: PhaseResult;
  peakMb: number;
  floodCpu: number;
}

/**
 * Measures every server at one size. The servers run side by side (an idle
 * one costs nothing) and take turns, flood after flood, so that a burst of
 * load from elsewhere on the machine hits them alike.
 */
async function measure(size: number): Promise<Row[]> {
  const started: { name: string; server: Server; clients?: LoadClients }[] = [];
  try {
    for (const name of servers) {
      const server = name === "ncat"
        ? await startNcat()
        : await startChatServer();
      started.push({ name, server });
    }
    for (const entry of started) {
      entry.clients = await LoadClients.connect(entry.server.port, size);
    }
    // Enough messages for ~250k deliveries (fewer at 500 clients: ~500k).
    const perClient = Math.max(2, Math.round(250_000 / (size * (size - 1))));
    const window = Math.min(1000, Math.max(4, Math.ceil(20_000 / (size - 1))));
    const rows: Row[] = started.map(({ name }) => ({
      size,
      server: name,
      floods: [],
      paced: undefined as unknown as PhaseResult,
      peakMb: 0,
      floodCpu: 0,
    }));
    for (let round = 0; round < repeat; round++) {
      for (const [i, { server, clients }] of started.entries()) {
        const cpuBefore = cpuSeconds(server.pid);
        rows[i].floods.push(await clients!.flood(perClient, window));
        rows[i].floodCpu += (cpuSeconds(server.pid) - cpuBefore) / repeat;
      }
    }
    for (const [i, { server, clients }] of started.entries()) {
      rows[i].paced = await clients!.paced(rate, seconds);
      rows[i].peakMb = memory(server.pid).hwm / 1024;
    }
    return rows;
  } finally {
    for (const { server, clients } of started) {
      clients?.close();
      await server.stop();
    }
  }
}

function format(row: Row): string {
  const phases = [...row.floods, row.paced];
  const sum = (f: (p: PhaseResult) => number) =>
    phases.reduce((total, p) => total + f(p), 0);
  const lost = sum((p) => p.expected - p.delivered);
  const corrupted = sum((p) => p.corrupted);
  const unlabelled = sum((p) => p.unlabelled);
  const rates = row.floods.map((p) => p.delivered / p.seconds).sort((a, b) =>
    a - b
  );
  const perSecond = rates[Math.floor(rates.length / 2)];
  return `| ${row.size} | ${row.server} | ${
    Math.round(perSecond).toLocaleString("en")
  } | ${percentile(row.paced.latencies, 50).toFixed(2)} | ${
    percentile(row.paced.latencies, 99).toFixed(2)
  } | ${row.floodCpu.toFixed(2)} | ${
    row.peakMb.toFixed(1)
  } | ${lost} | ${corrupted} | ${unlabelled} |`;
}

await runBench("bench:chat", async () => {
  console.log(
    `chat benchmark: flood ≈250k deliveries (≥2 messages per client), median of ${repeat}; paced ${rate} deliveries/s for ${seconds} s`,
  );
  console.log(
    "| clients | server | deliveries/s (flood, median) | p50 ms (paced) | p99 ms (paced) | server CPU s per flood | peak RSS MB | lost | corrupted | unlabelled |",
  );
  console.log(
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const size of sizes) {
    for (const row of await measure(size)) console.log(format(row));
  }
});

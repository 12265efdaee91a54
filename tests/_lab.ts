/**
 * Test helpers for the lab: run `cmd/lab.ts` as its own process with the
 * same permissions as `deno task lab`, and tell whether lab tests can run
 * here (root and `ip`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ROOT, runCommand, taskCommand } from "./_dist.ts";
import { commandSucceeds } from "./_harness.ts";

/** `deno task lab`'s command line, read from deno.json: [deno, run, …]. */
const LAB_COMMAND = await taskCommand("lab");

/** Whether the lab can be built here: root and `ip`. */
export const CAN_BUILD_LABS: boolean = Deno.uid() === 0 &&
  await commandSucceeds("ip", ["netns", "list"]);

if (!CAN_BUILD_LABS) {
  console.log(
    "note: lab tests that build namespaces are skipped: they need root and iproute2's ip",
  );
}

/** What a lab command printed. */
export interface LabOutput {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout's JSON records. */
  records: Record<string, unknown>[];
}

/** Options for {@linkcode lab}. */
export interface LabOptions {
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** A wrapper command put in front (e.g. setpriv …). */
  wrapper?: string[];
}

/** Runs `deno task lab args…` (as the same `deno run` command line). */
export async function lab(
  args: string[],
  options: LabOptions = {},
): Promise<LabOutput> {
  const [program, ...rest] = [
    ...options.wrapper ?? [],
    ...LAB_COMMAND,
    ...args,
  ];
  const result = await runCommand(program, rest, {
    env: { LANG: "C.UTF-8", ...options.env },
  });
  return { ...result, records: parseRecords(result.stdout) };
}

/** Starts `deno task lab args…` in the background (for Ctrl+C tests). */
export function spawnLab(args: string[]): Deno.ChildProcess {
  const [program, ...rest] = [...LAB_COMMAND, ...args];
  return new Deno.Command(program, {
    args: rest,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", LANG: "C.UTF-8" },
  }).spawn();
}

/** Parses the JSON lines of `text`, skipping other lines. */
export function parseRecords(text: string): Record<string, unknown>[] {
  const records = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      // a human line
    }
  }
  return records;
}

/** A lab name no other test run uses. */
export function uniqueLabName(tag: string): string {
  return `t${tag}${(Deno.pid % 10000).toString(36)}${
    Math.floor(Math.random() * 36 ** 3).toString(36)
  }`.slice(0, 16);
}

/** The network namespaces whose names start with `pj_<lab>`. */
export async function labNamespaces(name: string): Promise<string[]> {
  const output = await new Deno.Command("ip", {
    args: ["netns", "list"],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(output.stdout).split("\n")
    .map((line) => line.split(" ", 1)[0])
    .filter((ns) => ns === `pj_${name}` || ns.startsWith(`pj_${name}_`));
}

/** The `/etc/netns` entries of lab `name`. */
export async function labEtcEntries(name: string): Promise<string[]> {
  const entries = [];
  try {
    for await (const entry of Deno.readDir("/etc/netns")) {
      if (entry.name === `pj_${name}` || entry.name.startsWith(`pj_${name}_`)) {
        entries.push(entry.name);
      }
    }
  } catch {
    // no /etc/netns at all
  }
  return entries;
}

/** Writes `text` to a temporary `.yaml` file and returns its path. */
export async function tempYaml(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "lab_", suffix: ".yaml" });
  await Deno.writeTextFile(path, text);
  return path;
}

/** A role's part of a `result` record of `lab run --json`. */
export interface ProcessJson {
  host: string;
  role: string;
  code: number;
  summary?: Record<string, number | null>;
  checks: { name: string; ok: boolean; detail: string }[];
  ok: boolean;
}

/** A `result` record of `lab run --json`. */
export interface ResultJson {
  type: "result";
  scenario: string;
  ok: boolean;
  error?: string;
  processes: ProcessJson[];
}

/** The `result` records of a run, by scenario. */
export function results(
  records: Record<string, unknown>[],
): Map<string, ResultJson> {
  const map = new Map<string, ResultJson>();
  for (const record of records) {
    if (record.type === "result") {
      const result = record as unknown as ResultJson;
      map.set(result.scenario, result);
    }
  }
  return map;
}

/** The processes of one role in a result. */
export function byRole(result: ResultJson, role: string): ProcessJson[] {
  return result.processes.filter((p) => p.role === role);
}

/** The receiving hosts of lab.yaml. */
export const RECEIVERS = ["alpine-2", "alpine-3", "alpine-4", "alpine-5"];

/**
 * broadcast-sender-first: each receiver starts late; its first number says
 * how much it missed, and later receivers missed more.
 */
export function assertSenderFirst(result: ResultJson): void {
  assert.equal(result.ok, true, JSON.stringify(result));
  const late = byRole(result, "broadcast-receiver");
  assert.deepEqual(late.map((p) => p.host), RECEIVERS);
  let previous = 1;
  for (const p of late) {
    const firstSeq = p.summary!.firstSeq!;
    assert.ok(firstSeq > 1, `${p.host}: first number ${firstSeq}`);
    assert.equal(p.summary!.missedBeforeFirst, firstSeq - 1, p.host);
    assert.equal(p.summary!.missing, firstSeq - 1 + p.summary!.gaps!);
    assert.ok(firstSeq > previous, `${p.host} started later`);
    previous = firstSeq;
  }
}

/** tcp-chat: every client got the other three clients' two lines each. */
export function assertTcpChat(result: ResultJson): void {
  assert.equal(result.ok, true, JSON.stringify(result));
  const chat = byRole(result, "chat-client");
  assert.deepEqual(chat.map((p) => p.host), RECEIVERS);
  for (const p of chat) {
    assert.deepEqual(
      p.checks.find((c) => c.name === "lines"),
      { name: "lines", ok: true, detail: "6/6" },
      p.host,
    );
  }
  const server = byRole(result, "chat-server")[0];
  assert.equal(server.summary?.joined, 4);
  assert.equal(server.summary?.messages, 8);
}

/**
 * Shared by the `dist_*` tests: starting roles through a built artefact
 * (the bundle, the Alpine pack, the self-extracting program) and the lab
 * scenarios every artefact must pass, so that what ships is what is tested.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { RoleProcess } from "./_harness.ts";
import { run } from "../tools/_common.ts";

/** The repository root. */
export const ROOT = new URL("../", import.meta.url).pathname;

/** Starts a role through some artefact. */
export type Starter = (
  role: string,
  args: string[],
  options?: { stdin?: boolean },
) => RoleProcess;

/** Runs a command to completion (with `NO_COLOR=1`); returns its code and output. */
export function runCommand(
  program: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(program, args, {
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...options.env },
  });
}

/** `deno task <name>`'s command line from deno.json, as [program, ...args]. */
export async function taskCommand(name: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  // $PROGJAR_RECORD_ALLOW is empty off a lab host: `deno task` drops it.
  const words = (config.tasks[name] as string).split(" ").filter((w) =>
    !w.startsWith("$")
  );
  assert.equal(words[0], "deno");
  return [Deno.execPath(), ...words.slice(1)];
}

/** Runs a `deno task` with arguments; returns its code and output. */
export async function runTask(
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program, ...rest] = await taskCommand(name);
  return await runCommand(program, [...rest, ...args], { env });
}

/** The summary record of a finished process. */
function summaryOf(proc: RoleProcess): Record<string, unknown> | undefined {
  return proc.records.findLast((r) => r.type === "summary");
}

/**
 * The broadcast lab on loopback: two receivers share a port, the sender
 * (bound to 127.0.0.1, so nothing leaves the host) sends 20 numbered
 * datagrams to 127.255.255.255; both receivers get all 20, from number 1.
 */
export async function broadcastScenario(start: Starter): Promise<void> {
  const count = "20";
  const limits = ["--count", count, "--duration", "20", "--quiet", "--json"];
  const first = start("broadcast-receiver", ["--port", "0", ...limits]);
  const receivers = [first];
  try {
    const port = String((await first.waitForRecord("listening")).port);
    const second = start("broadcast-receiver", ["--port", port, ...limits]);
    receivers.push(second);
    await second.waitForRecord("listening");
    const sender = start("broadcast-sender", [
      "--bind",
      "127.0.0.1",
      "--to",
      "127.255.255.255",
      "--port",
      port,
      "--count",
      count,
      "--quiet",
      "--json",
    ]);
    const sent = await sender.finished();
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(summaryOf(sender)?.sent, 20);
    for (const receiver of receivers) {
      const { code, stderr } = await receiver.finished();
      assert.equal(code, 0, stderr);
      const summary = summaryOf(receiver);
      assert.equal(summary?.received, 20, JSON.stringify(summary));
      assert.equal(summary?.firstSeq, 1);
      assert.equal(summary?.lastSeq, 20);
      assert.equal(summary?.missedBeforeFirst, 0);
      assert.equal(summary?.gaps, 0);
    }
  } finally {
    for (const receiver of receivers) receiver.kill();
    await Promise.all(receivers.map((r) => r.finished()));
  }
}

/**
 * {@linkcode broadcastScenario} with the first receiver on the batch path
 * (`--io batch`) and the second on the plain one: both get all 20 and their
 * summaries are the same, record for record.
 */
export async function batchBroadcastScenario(start: Starter): Promise<void> {
  const receivers: RoleProcess[] = [];
  await broadcastScenario((role, args, options) => {
    if (role !== "broadcast-receiver") return start(role, args, options);
    const io = receivers.length === 0 ? ["--io", "batch"] : [];
    const proc = start(role, [...args, ...io], options);
    receivers.push(proc);
    return proc;
  });
  assert.equal(receivers.length, 2);
  const [batch, plain] = receivers.map(summaryOf);
  assert.deepEqual(batch, plain, "the batch path's summary is the plain one's");
  assert.ok(
    receivers[0].records.some((r) => r.type === "rcvbuf"),
    "the first receiver ran the batch path",
  );
}

/**
 * The chat lab on loopback: a server and two named clients; one line from
 * ani reaches budi, and the server counts two joins and one message.
 */
export async function chatScenario(start: Starter): Promise<void> {
  const server = start("chat-server", [
    "--bind",
    "127.0.0.1",
    "--port",
    "0",
    "--duration",
    "30",
    "--json",
  ]);
  const clients: RoleProcess[] = [];
  try {
    const port = String((await server.waitForRecord("listening")).port);
    const client = (name: string) => {
      const proc = start("chat-client", [
        "--port",
        port,
        "--name",
        name,
        "--json",
      ], { stdin: true });
      clients.push(proc);
      return proc;
    };
    const budi = client("budi");
    await budi.waitForRecord("welcome");
    const ani = client("ani");
    await ani.waitForRecord("welcome");
    await ani.write("halo dari ani\n");
    await ani.closeStdin();
    await budi.waitForLine((line) => {
      try {
        const record = JSON.parse(line);
        return record.type === "message" && record.text === "halo dari ani";
      } catch {
        return false;
      }
    });
    await budi.closeStdin();
    for (const proc of clients) {
      const { code, stderr } = await proc.finished();
      assert.equal(code, 0, stderr);
    }
    assert.equal(summaryOf(ani)?.sent, 1);
    const message = budi.records.find((r) => r.type === "message");
    assert.equal(message?.from, "ani");
    server.kill("SIGTERM");
    const { code, stderr } = await server.finished();
    assert.equal(code, 0, stderr);
    const summary = summaryOf(server);
    assert.equal(summary?.joined, 2, JSON.stringify(summary));
    assert.equal(summary?.messages, 1, JSON.stringify(summary));
  } finally {
    for (const proc of [...clients, server]) proc.kill();
    await Promise.all([...clients, server].map((p) => p.finished()));
  }
}

/**
 * Running iproute2's `ip`: single commands and batches, with failures as
 * one-line {@linkcode RuntimeError}s.
 *
 * @module
 */

import { RuntimeError } from "../cli/errors.ts";

/** What `ip` printed. */
export interface IpResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** The program run for iproute2; tests may point `PATH` elsewhere. */
export const IP = "ip";

/** Options for {@linkcode ip}. */
export interface IpOptions {
  /** Text for standard input (e.g. a `-batch -` script). */
  input?: string;
  /** Return a failed result instead of throwing. */
  allowFailure?: boolean;
}

/** Runs `ip args…`; throws a {@linkcode RuntimeError} when it fails (unless allowed). */
export async function ip(
  args: string[],
  options: IpOptions = {},
): Promise<IpResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(IP, {
      args,
      stdin: options.input === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw noIp();
    throw err;
  }
  if (options.input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.input));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  const result = {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
  if (result.code !== 0 && !options.allowFailure) {
    const reason = result.stderr.trim().split("\n").filter(Boolean).at(-1) ??
      `exit code ${result.code}`;
    const command = `ip ${args.slice(0, 4).join(" ")}`;
    // The reason is ip's own words; they are the same in both languages.
    throw new RuntimeError({
      en: `${command}: ${reason}`,
      id: `${command}: ${reason}`,
    });
  }
  return result;
}

/** Runs many `ip` commands in one process (`ip [-n NS] -batch -`). */
export function ipBatch(
  commands: string[],
  options: { netns?: string } = {},
): Promise<IpResult> {
  const args = options.netns ? ["-n", options.netns] : [];
  return ip([...args, "-batch", "-"], { input: commands.join("\n") + "\n" });
}

/** The error for a machine without `ip`. */
export function noIp(): RuntimeError {
  return new RuntimeError({
    en:
      "the lab needs iproute2's `ip` command, which is not installed (Debian/Ubuntu: apt-get install iproute2; Alpine: apk add iproute2)",
    id:
      "lab perlu perintah `ip` dari iproute2, yang belum terpasang (Debian/Ubuntu: apt-get install iproute2; Alpine: apk add iproute2)",
  });
}

/** The names of the network namespaces that exist now. */
export async function listNetns(): Promise<string[]> {
  const { stdout } = await ip(["netns", "list"]);
  return stdout.split("\n").map((line) => line.trim().split(/\s+/, 1)[0])
    .filter((name) => name !== "");
}

/** The process ids running in a namespace. */
export async function netnsPids(netns: string): Promise<number[]> {
  const { stdout } = await ip(["netns", "pids", netns], { allowFailure: true });
  return stdout.split(/\s+/).filter((t) => /^\d+$/.test(t)).map(Number);
}

/**
 * The report's "on the wire" for each scenario, from the hosts' capture
 * files: every file is read once, in chunks, and each frame goes to the
 * scenario whose time window holds it (a `lab run` captures all its
 * scenarios into one file per host; hand runs may have several files per
 * host, one per `lab capture start`). What a scenario keeps of its frames
 * is in `_scenario_frames.ts`; the result is the data model the report
 * renders ({@linkcode ScenarioWire}).
 *
 * A damaged or missing file costs only what it could not give: the frames
 * before the damage count, and a note says what happened.
 *
 * @example The wire of the scenarios a run just did
 * ```ts
 * import { wireSummaries } from "./summary.ts";
 * import type { ScenarioResult } from "../results/results.ts";
 *
 * async function wireOf(results: ScenarioResult[]) {
 *   return await wireSummaries({
 *     captures: [{ host: "alpine-2", files: ["capture/alpine-2.pcap"] }],
 *     addresses: { "alpine-2": "192.168.122.131" },
 *     scenarios: results.map((result) => ({
 *       result,
 *       fromMs: result.startedAt!,
 *       toMs: result.startedAt! + result.durationMs,
 *     })),
 *   });
 * }
 * ```
 *
 * @module
 */

import { basename } from "node:path";
import type { Text } from "../cli/i18n.ts";
import type { ScenarioResult } from "../results/results.ts";
import type { ScenarioWire } from "../results/wire.ts";
import { HopTtls } from "./_hop_ttls.ts";
import { ScenarioFrames } from "./_scenario_frames.ts";
import { CaptureError } from "./errors.ts";
import { readCapture } from "./read.ts";
import { TcpStreams } from "./tcp_streams.ts";

/** How long after its window a member's IGMP leave still belongs to a scenario. */
const LATE_MS = 3000;

/** One host's capture files, oldest first. */
export interface HostFiles {
  /** The host. */
  host: string;
  /** Its capture files. */
  files: string[];
  /** Frames the kernel dropped for its capture, if known. */
  dropped?: number;
  /** Files still being written: one ending inside a frame is no damage. */
  growing?: string[];
  /** Its segment, on a lab with routers. */
  segment?: string;
  /** The router, when this is one of a router's interfaces. */
  router?: string;
}

/** A scenario and the part of the captures that is its. */
export interface ScenarioWindow {
  /** The scenario's result (roles, hosts, first numbers). */
  result: ScenarioResult;
  /** From when (ms since the epoch). */
  fromMs: number;
  /** Until when. */
  toMs: number;
}

/** What {@linkcode wireSummaries} reads. */
export interface SummaryInput {
  /** Every host's captures. */
  captures: HostFiles[];
  /** Each host's address. */
  addresses: Record<string, string>;
  /** The scenarios (their windows may overlap: a frame counts in each). */
  scenarios: ScenarioWindow[];
  /**
   * A lab with routers: its segments in order. Each scenario then follows
   * its datagrams across them ({@linkcode ScenarioWire.hops}).
   */
  segments?: string[];
}

/** Each scenario's frames, in the order of `input.scenarios`. */
export async function wireSummaries(
  input: SummaryInput,
): Promise<ScenarioWire[]> {
  const routers = new Set(
    input.captures.filter((c) => c.router !== undefined).map((c) => c.host),
  );
  const collectors = input.scenarios.map((s) =>
    new ScenarioFrames(s.result, input.addresses, { routers })
  );
  const segments = input.segments ?? [];
  const hops = segments.length > 1
    ? input.scenarios.map((s) =>
      new HopTtls(segments, input.captures, {
        addresses: input.addresses,
        startMs: s.result.startedAt ?? s.fromMs,
      })
    )
    : undefined;
  const captured = input.captures.map((c) => c.host);
  for (const c of collectors) c.serverCaptured(captured);
  const notes: Text[] = [];
  for (const capture of input.captures) {
    const streams = new TcpStreams();
    for (const path of capture.files) {
      try {
        for await (const frame of readCapture(path)) {
          const ip = frame.ipv4;
          const tcp = frame.tcp && ip
            ? streams.relative(ip, frame.tcp)
            : undefined;
          const seen = {
            host: capture.host,
            file: basename(path),
            frame,
            ...(tcp ? { tcp } : {}),
          };
          const t = frame.timeMs;
          input.scenarios.forEach((w, i) => {
            if (t >= w.fromMs && t <= w.toMs) {
              collectors[i].add(seen);
              hops?.[i].add(seen);
            } else if (frame.igmp && t > w.toMs && t <= w.toMs + LATE_MS) {
              // A leave just after its scenario is still its own.
              collectors[i].late(seen);
            }
          });
        }
      } catch (err) {
        if (!(err instanceof CaptureError)) throw err;
        const writing = capture.growing?.includes(path) &&
          err.reason === "truncated";
        if (!writing) {
          notes.push({
            en: `${err.text.en}; the frames before it are counted`,
            id: `${err.text.id}; frame sebelumnya tetap dihitung`,
          });
        }
      }
    }
  }
  const hosts = input.captures.map(({ growing: _, ...h }) => h);
  return collectors.map((c, i) => {
    const wire = c.wire(hosts, notes, {
      fromMs: input.scenarios[i].fromMs,
      toMs: input.scenarios[i].toMs,
    });
    const followed = hops?.[i].hops();
    return followed ? { ...wire, hops: followed } : wire;
  });
}

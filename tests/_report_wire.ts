/**
 * Reading a Markdown report's "On the wire" sections back, and checking
 * them against tshark on the same capture files: per host the counts per
 * kind (tshark's -Y filters, in the scenario's window), and each frame's
 * fields as the report lists them (`Label: value (meaning)  [field]`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  FRAME_KINDS,
  type FrameKind,
  TSHARK_FILTERS,
} from "../lib/wire/mod.ts";

/** One frame shown layer by layer. */
export interface ShownFrame {
  kind: string;
  number: number;
  file: string;
  host: string;
  /** Each field's values in the order shown. */
  fields: Map<string, string[]>;
}

/** One scenario's section. */
export interface WireSection {
  scenario: string;
  /** Seconds since the epoch, as the report prints them. */
  from: string;
  to: string;
  /** Per host: counts in the table's order (FRAME_KINDS) and its file. */
  counts: Map<string, { counts: Record<FrameKind, number>; file: string }>;
  frames: ShownFrame[];
  /** The section's text. */
  text: string;
}

/** The "On the wire" sections of an English Markdown report. */
export function wireSections(markdown: string): WireSection[] {
  const sections: WireSection[] = [];
  const scenarios = markdown.split(/^## Scenario \d+: /m).slice(1);
  for (const part of scenarios) {
    const scenario = part.split("\n", 1)[0].trim();
    const at = part.indexOf("### On the wire");
    if (at < 0) continue;
    const end = part.indexOf("\n### ", at + 5);
    const text = part.slice(at, end < 0 ? undefined : end);
    const window =
      /frame\.time_epoch >= ([\d.]+) && frame\.time_epoch <= ([\d.]+)/
        .exec(text);
    assert.ok(window, `${scenario}: no window`);
    const counts = new Map();
    for (
      const m of text.matchAll(
        /^\| (alpine-\d+) \| ([\d |]+)\| `([^`]+)` \|$/gm,
      )
    ) {
      const values = m[2].split("|").map((v) => Number(v.trim())).filter((v) =>
        !Number.isNaN(v)
      );
      assert.equal(values.length, FRAME_KINDS.length, m[0]);
      counts.set(m[1], {
        counts: Object.fromEntries(FRAME_KINDS.map((k, i) => [k, values[i]])),
        file: m[3],
      });
    }
    const frames: ShownFrame[] = [];
    for (
      const m of text.matchAll(
        /^#### ([^:]+): frame (\d+) of (\S+) \((\S+)\)\n\n```\n([\s\S]*?)\n```/gm,
      )
    ) {
      const fields = new Map<string, string[]>();
      for (const line of m[5].split("\n")) {
        const f = /^ {4}[^:]+: (\S+).*\[([a-z0-9_.]+)\]$/.exec(line);
        if (f) fields.set(f[2], [...fields.get(f[2]) ?? [], f[1]]);
      }
      frames.push({
        kind: m[1],
        number: Number(m[2]),
        file: m[3],
        host: m[4],
        fields,
      });
    }
    sections.push({
      scenario,
      from: window[1],
      to: window[2],
      counts,
      frames,
      text,
    });
  }
  return sections;
}

const decoder = new TextDecoder();

/** Runs tshark; its standard output. */
export async function tshark(args: string[]): Promise<string> {
  const out = await new Deno.Command("tshark", {
    args: ["-n", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, decoder.decode(out.stderr));
  return decoder.decode(out.stdout);
}

/** The epoch times of the frames tshark's filter for each kind selects in a file. */
export async function kindTimes(
  path: string,
): Promise<Record<FrameKind, number[]>> {
  const times = {} as Record<FrameKind, number[]>;
  await Promise.all(FRAME_KINDS.map(async (kind) => {
    const out = await tshark([
      "-r",
      path,
      "-Y",
      TSHARK_FILTERS[kind],
      "-T",
      "fields",
      "-e",
      "frame.time_epoch",
    ]);
    times[kind] = out.split("\n").filter((l) => l !== "").map(Number);
  }));
  return times;
}

/**
 * Asserts that every section's counts equal tshark's in its window, and
 * every frame shown has tshark's values for each field shown.
 */
export async function assertSectionsMatchTshark(
  sections: WireSection[],
  dir: string,
): Promise<void> {
  const times = new Map<string, Record<FrameKind, number[]>>();
  for (const section of sections) {
    const from = Number(section.from), to = Number(section.to);
    for (const [host, { counts, file }] of section.counts) {
      if (!times.has(file)) times.set(file, await kindTimes(join(dir, file)));
      const byKind = times.get(file)!;
      for (const kind of FRAME_KINDS) {
        const theirs = byKind[kind].filter((t) => t >= from && t <= to).length;
        assert.equal(
          counts[kind],
          theirs,
          `${section.scenario}, ${host}, ${kind}: report ${
            counts[kind]
          }, tshark ${theirs}`,
        );
      }
    }
    for (const frame of section.frames) {
      const names = [...frame.fields.keys()];
      const out = await tshark([
        "-r",
        join(dir, frame.file),
        "-Y",
        `frame.number == ${frame.number}`,
        "-T",
        "fields",
        "-E",
        "separator=/t",
        "-E",
        "aggregator=,",
        ...names.flatMap((n) => ["-e", n]),
      ]);
      const values = out.replace(/\n$/, "").split("\t");
      names.forEach((name, i) => {
        assert.equal(
          frame.fields.get(name)!.join(","),
          values[i],
          `${section.scenario}: frame ${frame.number} of ${frame.file}, ${name}`,
        );
      });
    }
  }
}

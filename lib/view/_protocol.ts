/**
 * Internal: the messages between the view's server and its page, on one
 * WebSocket, as JSON text.
 *
 * Server to page:
 * - `hello`: the mode (`live` or `replay`), the lab, the language, the
 *   hosts and the picture, the kinds, the source (the capture file, its
 *   first time, its problem), the limits, the state;
 * - `events`: rows of events (see `eventRow` in `events.ts`);
 * - `stats`: the exact totals, the rate, what this page was sent, sampled
 *   and dropped;
 * - `state`: `waiting` for the lab, `watching` it, the lab `down`, the
 *   replay `ended`;
 * - `detail`: one event's layers, or that it is no longer kept.
 *
 * Page to server: `detail` (an event's layers, by number) and, in a
 * replay, `credit` (how many more events it has room for).
 *
 * @module
 */

import type { Lang, Text } from "../cli/i18n.ts";
import { FRAME_KINDS } from "../wire/frame.ts";
import type { ClientLimits } from "./_client.ts";
import { frameDetail } from "./details.ts";
import { eventRow, type ViewEvent } from "./events.ts";
import type { ViewHost } from "./hosts.ts";
import { type Picture, pictureOf } from "./picture.ts";
import { segmentsPicture } from "./_picture_segments.ts";
import type { Frame } from "../wire/frame.ts";

/** What the view watches. */
export type ViewState = "waiting" | "watching" | "down" | "ended";

/** What a page is told first. */
export interface Hello {
  type: "hello";
  /** `live`: a lab's interfaces; `replay`: a capture file. */
  mode: "live" | "replay";
  /** The lab's name. */
  lab: string;
  /** The language the view was started in (`--lang`). */
  lang: Lang;
  /** The hosts, in picture order. */
  hosts: ViewHost[];
  /** The picture. */
  picture: Picture;
  /** The frame kinds, in the order rows number them. */
  kinds: readonly string[];
  /** The capture file, for a replay. */
  file?: string;
  /** What is wrong with the file (read up to the problem). */
  problem?: Text;
  /** Frames in the file (replay). */
  frames?: number;
  /** The limits of this page's stream. */
  limits: ClientLimits;
  /** The state now. */
  state: ViewState;
  /**
   * A lab of several segments: each one's name and subnet, in the order
   * events number them (the hosts say which segment each port is on).
   */
  segments?: { name: string; subnet: string }[];
}

/** The labels of the picture's switch, in both languages. */
export const SWITCH_LABEL: Record<Lang, string> = {
  en: "switch (bridge)",
  id: "switch (bridge)",
};

/** The hello for `hosts`. */
export function helloOf(
  hosts: ViewHost[],
  fields: Omit<Hello, "type" | "hosts" | "picture" | "kinds"> & {
    note: string;
  },
): Hello {
  const { note, ...rest } = fields;
  return {
    type: "hello",
    ...rest,
    hosts: hosts.map((h) => ({ ...h })),
    // A host named by its address shows its MAC under the name instead.
    picture: fields.segments
      ? segmentsPicture(hosts, {
        segments: fields.segments,
        lang: fields.lang,
      })
      : pictureOf(
        hosts.map((h) => ({
          name: h.name,
          address: h.name === h.address ? h.mac : h.address,
        })),
        {
          label: SWITCH_LABEL[fields.lang],
          note,
          lang: fields.lang,
        },
      ),
    kinds: FRAME_KINDS,
  };
}

/** The reply to a page's `detail` request for event `n`. */
export function detailReply(
  n: number,
  found: { frame: Frame; event?: ViewEvent } | undefined,
): unknown {
  if (!found) return { type: "detail", n, missing: true };
  return {
    type: "detail",
    n,
    ...(found.event ? { row: eventRow(found.event) } : {}),
    detail: frameDetail(found.frame),
  };
}

/** A page's message, checked; `undefined` for anything else. */
export function parseRequest(
  data: unknown,
): { type: "detail" | "credit"; n: number } | undefined {
  if (typeof data !== "string" || data.length > 200) return undefined;
  try {
    const value = JSON.parse(data);
    if (
      (value?.type === "detail" || value?.type === "credit") &&
      Number.isSafeInteger(value.n) && value.n >= 0
    ) {
      return { type: value.type, n: value.n };
    }
  } catch {
    // not JSON: ignored
  }
  return undefined;
}

/**
 * The view's picture of the lab: the report's topology drawing
 * (`topologySvg` of `lib/report/svg.ts`: the switch above, every host
 * under it with its name and address), and where in it the switch and
 * each host's port are, for the page to move frames along the lines.
 *
 * @example The picture of two hosts, and where alpine-2's port is
 * ```ts
 * import { pictureOf } from "./picture.ts";
 *
 * const picture = pictureOf(
 *   [{ name: "alpine-1", address: "192.168.122.207" }, { name: "alpine-2", address: "192.168.122.131" }],
 *   { label: "switch (bridge)", note: "192.168.122.0/24" },
 * );
 * console.log(picture.ports[1]); // { x: …, y: 110 }
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import { topologySvg } from "../report/svg.ts";

/** A point of the picture. */
export interface Point {
  /** Across, from the left. */
  x: number;
  /** Down, from the top. */
  y: number;
}

/** The picture and its geometry. */
export interface Picture {
  /** The SVG, as the report draws it. */
  svg: string;
  /** Its width. */
  width: number;
  /** Its height. */
  height: number;
  /** Where the lines meet the switch (the bottom of its box). */
  switch: Point;
  /** Where each host's line meets its box (the top middle), by host index. */
  ports: Point[];
  /** Each host's box: top left, width, height. */
  boxes: { x: number; y: number; width: number; height: number }[];
  /**
   * A lab of several segments: where the lines meet each segment's switch
   * (`switch` is the first's), by segment index.
   */
  switches?: Point[];
  /** A lab of several segments: each port's segment, by host index. */
  segmentOf?: number[];
}

// The geometry of topologySvg (lib/report/svg.ts), which draws the picture.
const BOX = 120;
const GAP = 16;
const HOST_TOP = 110;
const BOX_HEIGHT = 44;
const SWITCH_BOTTOM = 56;

/** The picture of `hosts` under a switch labelled `label` over `note`. */
export function pictureOf(
  hosts: { name: string; address?: string }[],
  options: { label: string; note: string; lang?: Lang },
): Picture {
  const svg = topologySvg(
    hosts.map((h) => ({ name: h.name, address: h.address ?? "" })),
    options,
  );
  const width = Math.max(420, hosts.length * (BOX + GAP) + GAP);
  const left = (width - hosts.length * (BOX + GAP) + GAP) / 2;
  const boxes = hosts.map((_, i) => ({
    x: left + i * (BOX + GAP),
    y: HOST_TOP,
    width: BOX,
    height: BOX_HEIGHT,
  }));
  return {
    svg,
    width,
    height: 170,
    switch: { x: width / 2, y: SWITCH_BOTTOM },
    ports: boxes.map((b) => ({ x: b.x + BOX / 2, y: HOST_TOP })),
    boxes,
  };
}

/**
 * Internal: the report's picture of the lab and the paragraph that says what
 * it is: one switch, segments joined by routers, or the demo's loopback.
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import { TEXT } from "./_document_text.ts";
import { hostsOf, type ReportInput } from "./model.ts";
import { topologySvg } from "./svg.ts";
import { networkSvg } from "./svg_network.ts";

/** The topology's figure: the switch and its hosts, or the segments and routers. */
export function topologyFigure(
  input: ReportInput,
  lang: Lang,
): { kind: "figure"; name: string; svg: string; caption: string } {
  const text = TEXT[lang];
  const topology = input.topology;
  const hosts = hostsOf(input);
  return topology?.segments
    ? {
      kind: "figure",
      name: "topology",
      svg: networkSvg(topology, lang),
      caption: text.networkCaption(
        (topology.routers ?? []).map((r) => r.name).join(", "),
      ),
    }
    : {
      kind: "figure",
      name: "topology",
      svg: topologySvg(hosts, {
        label: topology
          ? (topology.hostsAre === "vms" ? text.vmSwitch : text.switchLabel)
          : text.loopback,
        note: topology
          ? `${topology.subnet.cidr}, broadcast ${topology.subnet.broadcast}`
          : "127.0.0.1 → 127.255.255.255",
        lang,
      }),
      caption: topology
        ? text.topologyCaption(
          topology.subnet.cidr,
          topology.subnet.broadcast,
        )
        : text.demoIntro,
    };
}

/** What the lab is, in one paragraph: one switch, routers, or the demo's loopback. */
export function introOf(input: ReportInput, lang: Lang): string {
  const text = TEXT[lang];
  const topology = input.topology;
  if (!topology) return text.demoIntro;
  if (topology.hostsAre === "vms") return text.vmIntro;
  if (!topology.segments) return text.intro;
  const routers = topology.routers ?? [];
  const kernel = routers.length > 0 &&
    routers.every((r) => r.multicast === "smcroute");
  return text.routedIntro(
    routers.length,
    topology.segments.length,
    kernel ? text.howKernel : text.howUserSpace,
  );
}

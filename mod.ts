/**
 * progjar: every role of a network-programming course's UDP and TCP socket
 * labs as a Deno program, and the shared code they are built from.
 *
 * The programs live in `cmd/` (one per role, see {@linkcode ROLES}); this
 * module exports the library they share, for tools and tests.
 *
 * @example Count what a receiver got
 * ```ts
 * import { parseSequence, SequenceTracker } from "./mod.ts";
 *
 * const tracker = new SequenceTracker();
 * tracker.add(parseSequence(new TextEncoder().encode(" BROADCAST ini angka 3 ")));
 * console.log(tracker.summary().missedBeforeFirst); // 2
 * ```
 *
 * @module
 */

export * from "./lib/cli/address.ts";
export * from "./lib/cli/async.ts";
export * from "./lib/chat/framing.ts";
export * from "./lib/chat/hub.ts";
export * from "./lib/chat/client.ts";
export * from "./lib/chat/server.ts";
export * from "./lib/chat/message.ts";
export * from "./lib/cli/parse.ts";
export * from "./lib/cli/display.ts";
export * from "./lib/cli/errors.ts";
export * from "./lib/cli/common_flags.ts";
export * from "./lib/scenario/checks.ts";
export * from "./lib/net/netns.ts";
export * from "./lib/net/routes.ts";
export * from "./lib/results/reach.ts";
export * from "./lib/scenario/placeholders.ts";
export * from "./lib/lab/report.ts";
export * from "./lib/net/rootfs.ts";
export * from "./lib/scenario/scenario.ts";
export * from "./lib/results/summary.ts";
export * from "./lib/scenario/topology.ts";
export * from "./lib/scenario/topology_check.ts";
export * from "./lib/cli/i18n.ts";
export * from "./lib/cli/output.ts";
export * from "./lib/cli/table.ts";
export * from "./lib/cli/multicall.ts";
export * from "./lib/udp/payload.ts";
export * from "./lib/ports.ts";
export * from "./lib/udp/receiver.ts";
export * from "./lib/roles.ts";
export * from "./lib/cli/run.ts";
export * from "./lib/udp/sender.ts";
export * from "./lib/udp/client.ts";
export * from "./lib/udp/server.ts";
export * from "./lib/udp/multicast.ts";
export * from "./lib/udp/sequence.ts";
export * from "./lib/udp/socket.ts";

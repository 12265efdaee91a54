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

export * from "./lib/addr.ts";
export * from "./lib/chat/framing.ts";
export * from "./lib/chat/hub.ts";
export * from "./lib/chat/message.ts";
export * from "./lib/cli.ts";
export * from "./lib/display.ts";
export * from "./lib/errors.ts";
export * from "./lib/lab/netns.ts";
export * from "./lib/lab/report.ts";
export * from "./lib/lab/rootfs.ts";
export * from "./lib/lab/scenario.ts";
export * from "./lib/lab/summary.ts";
export * from "./lib/lab/topology.ts";
export * from "./lib/i18n.ts";
export * from "./lib/output.ts";
export * from "./lib/payload.ts";
export * from "./lib/receiver.ts";
export * from "./lib/roles.ts";
export * from "./lib/run.ts";
export * from "./lib/sender.ts";
export * from "./lib/sequence.ts";
export * from "./lib/socket.ts";

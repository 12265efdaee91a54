/**
 * Frames on the wire: reading pcap and pcapng captures as decoded frames.
 *
 * - {@linkcode readCapture} reads a capture from a path, an open file or a
 *   stream (e.g. `tcpdump -w -`'s stdout), in chunks: an async iterator of
 *   {@linkcode Frame}s, each with its time stamp (`timeNs`, `timeMs`), its
 *   {@linkcode CaptureInterface} (name, link type, time resolution), its
 *   lengths and bytes, and every layer decoded. With `follow` it keeps
 *   reading a file that is still being written.
 * - {@linkcode Frame} is the one type for a decoded frame, shared by the
 *   report, the live view and the tests: Ethernet II / 802.1Q / Linux
 *   cooked, ARP, IPv4, IGMP v1-v3, ICMP, UDP, TCP, the payload; its
 *   {@linkcode FrameKind} (ARP, IGMP, UDP broadcast, multicast, unicast,
 *   TCP, other) from {@linkcode classify}, with the same kinds as tshark
 *   display filters in {@linkcode TSHARK_FILTERS}.
 * - {@linkcode decodeFrame} decodes bytes from anywhere.
 * - {@linkcode hexDump} and {@linkcode payloadText} show a payload.
 * - A file that cannot be read on throws one {@linkcode CaptureError}
 *   (exit code 2, one line in both languages) after yielding every frame
 *   before the problem; a frame cut short is flagged in its `problems`.
 *
 * @example Print the multicast frames of a capture, with their TTL
 * ```ts
 * import { readCapture } from "./mod.ts";
 *
 * async function multicast(path: string): Promise<void> {
 *   for await (const frame of readCapture(path)) {
 *     if (frame.kind !== "udp-multicast") continue;
 *     const { ipv4, udp } = frame;
 *     console.log(frame.timeMs, frame.interface.name, ipv4?.dst, udp?.dstPort, ipv4?.ttl);
 *   }
 * }
 * ```
 *
 * @example Follow a capture being written, until stopped
 * ```ts
 * import { readCapture } from "./mod.ts";
 *
 * async function follow(path: string, signal: AbortSignal): Promise<number> {
 *   let frames = 0;
 *   for await (const _ of readCapture(path, { follow: { signal } })) frames++;
 *   return frames;
 * }
 * ```
 *
 * @module
 */

export * from "./classify.ts";
export * from "./decode.ts";
export * from "./errors.ts";
export * from "./format.ts";
export * from "./frame.ts";
export * from "./read.ts";

/**
 * TCP sequence numbers as Wireshark shows them: relative to the first one
 * each side sent (its SYN is 0, its first data byte 1), so that a
 * handshake reads `Seq=0`, `Seq=0 Ack=1`, `Seq=1 Ack=1` whatever the
 * initial sequence numbers were. Feed every TCP frame of a capture, in
 * order, to {@linkcode TcpStreams.relative}.
 *
 * @example A handshake's relative numbers
 * ```ts
 * import { TcpStreams } from "./tcp_streams.ts";
 *
 * const streams = new TcpStreams();
 * const a = { src: "10.0.0.1", dst: "10.0.0.2" };
 * const b = { src: "10.0.0.2", dst: "10.0.0.1" };
 * const seg = (seq: number, ack: number, syn: boolean, hasAck: boolean, sp: number, dp: number) => ({
 *   srcPort: sp, dstPort: dp, seq, ack, flags: { syn, ack: hasAck },
 * });
 * console.log(streams.relative(a, seg(1000, 0, true, false, 40000, 8080))); // { seq: 0, ack: 0 }
 * console.log(streams.relative(b, seg(5000, 1001, true, true, 8080, 40000))); // { seq: 0, ack: 1 }
 * console.log(streams.relative(a, seg(1001, 5001, false, true, 40000, 8080))); // { seq: 1, ack: 1 }
 * ```
 *
 * @module
 */

/** What {@linkcode TcpStreams.relative} needs of a segment. */
export interface TcpSegmentFields {
  /** Source port. */
  srcPort: number;
  /** Destination port. */
  dstPort: number;
  /** Raw sequence number. */
  seq: number;
  /** Raw acknowledgment number. */
  ack: number;
  /** The SYN and ACK flags. */
  flags: { syn: boolean; ack: boolean };
}

/** Relative sequence and acknowledgment numbers. */
export interface RelativeNumbers {
  /** Sequence number relative to this side's first. */
  seq: number;
  /** Acknowledgment number relative to the other side's first (0 without ACK). */
  ack: number;
}

const MOD = 2 ** 32;

/** Tracks every TCP connection's first sequence number on each side. */
export class TcpStreams {
  #bases = new Map<string, number>();

  /** The relative numbers of a segment from `ends.src` to `ends.dst`. */
  relative(
    ends: { src: string; dst: string },
    segment: TcpSegmentFields,
  ): RelativeNumbers {
    const fwd = `${ends.src}:${segment.srcPort}>${ends.dst}:${segment.dstPort}`;
    const rev = `${ends.dst}:${segment.dstPort}>${ends.src}:${segment.srcPort}`;
    const { syn, ack } = segment.flags;
    if (syn && !ack) {
      // A new connection on these ports: its numbers start again.
      this.#bases.delete(fwd);
      this.#bases.delete(rev);
    }
    if (!this.#bases.has(fwd)) {
      // Without its SYN, the first byte seen counts as 1.
      this.#bases.set(fwd, syn ? segment.seq : (segment.seq - 1 + MOD) % MOD);
    }
    if (ack && !this.#bases.has(rev)) {
      this.#bases.set(rev, (segment.ack - 1 + MOD) % MOD);
    }
    const seq = (segment.seq - this.#bases.get(fwd)! + MOD) % MOD;
    const relAck = ack ? (segment.ack - this.#bases.get(rev)! + MOD) % MOD : 0;
    return { seq, ack: relAck };
  }
}

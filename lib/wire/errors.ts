/**
 * The one error a capture file can cause: {@linkcode CaptureError}, a
 * {@linkcode UsageError} (exit code 2: a bad input file) whose message is one
 * line in both languages naming the file, what is wrong and where.
 *
 * Frames that are merely cut short by the capture's snaplen, or whose
 * headers claim more bytes than they have, are not errors: they are read
 * and flagged (see {@linkcode "./frame.ts"}). An error means the file itself
 * cannot be read on: it is not a capture, it ends in the middle of a
 * record, a record's length cannot be true, or its link type is one this
 * reader does not decode.
 *
 * @example Say what is wrong with a file, in Indonesian
 * ```ts
 * import { CaptureError } from "./errors.ts";
 *
 * const err = new CaptureError("not-capture", {
 *   en: "x.txt: not a pcap or pcapng capture",
 *   id: "x.txt: bukan tangkapan pcap atau pcapng",
 * }, 0);
 * console.log(err.text.id);
 * ```
 *
 * @module
 */

import { UsageError } from "../cli/errors.ts";
import type { Text } from "../cli/i18n.ts";

/** Why a capture file cannot be read on. */
export type CaptureErrorReason =
  /** Empty, or it does not start like pcap or pcapng. */
  | "not-capture"
  /** It ends inside a header or a record. */
  | "truncated"
  /** A length or a reference that cannot be true (more than any frame, no such interface). */
  | "damaged"
  /** A version or variant of the format this reader does not know. */
  | "unsupported"
  /** A link-layer type this reader does not decode. */
  | "unknown-link-type"
  /** The file (or stream) could not be read at all. */
  | "unreadable";

/** A capture file that cannot be read on; exit code 2. */
export class CaptureError extends UsageError {
  /** Why. */
  readonly reason: CaptureErrorReason;
  /** The byte offset in the file where the problem is. */
  readonly offset: number;

  /** Creates the error; `text` is the whole line, file name included. */
  constructor(reason: CaptureErrorReason, text: Text, offset: number) {
    super(text);
    this.name = "CaptureError";
    this.reason = reason;
    this.offset = offset;
  }
}

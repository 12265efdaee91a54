/**
 * Internal: writing a whole buffer to a writer whose `write` may take only
 * part of it (a pipe, a socket, a file on a full disk).
 *
 * @module
 */

/** Something bytes are written to: a file, a socket, standard output. */
export interface Writer {
  /** Writes some of `p`; resolves to how many bytes it took. */
  write(p: Uint8Array): Promise<number>;
}

/** Writes all of `bytes` to `writer`; rejects with the write's error. */
export async function writeFully(
  writer: Writer,
  bytes: Uint8Array,
): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await writer.write(bytes.subarray(offset));
  }
}

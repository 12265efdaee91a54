/**
 * One full garbage collection before a receiver binds its socket.
 *
 * Measured (bench notes in the commit): the first young-generation
 * collection after start-up copies what the start-up left alive and takes
 * ~4–16 ms; when it falls in a flood, 50,000 datagrams/s fill the default
 * receive buffer (~256 small datagrams, ~5 ms) and the kernel drops the
 * rest. Collected before binding, the first one in the flood takes under
 * 1 ms. Needs `--v8-flags=--expose-gc` (lib/roles.ts); without it, nothing.
 *
 * @module
 */

/**
 * Runs a full collection now if V8 exposes `gc` (`--expose-gc`); call it
 * before binding, while no datagram can be waiting.
 */
export function collectGarbage(): void {
  const { gc } = globalThis as { gc?: () => void };
  gc?.();
}

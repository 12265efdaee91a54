/**
 * The multicast chat's datagrams. A message is the text `NAME : TEXT`
 * (UTF-8), exactly what the course's multicast receivers print, so they show
 * who wrote it. Control datagrams are short English sentences after `* `
 * that read well there too and that peers parse:
 *
 * | datagram                  | meaning                                  |
 * | ------------------------- | ---------------------------------------- |
 * | `* NAME joined`           | a peer joined the group                  |
 * | `* NAME left`             | a peer left                              |
 * | `* NAME is now NEW`       | a peer changed its name                  |
 * | `* NAME asks who is here` | `/who`: the others answer                |
 * | `* NAME is here`          | the answer to a `/who`                   |
 *
 * Anything else (the course's sender sends raw text) is shown as raw text
 * with the sender's address.
 *
 * @example Parse what arrives
 * ```ts
 * import { encodeControl, parseDatagram } from "./wire.ts";
 *
 * const bytes = new TextEncoder().encode("alpine-2 : halo");
 * console.log(parseDatagram(bytes)); // { kind: "message", name: "alpine-2", text: "halo" }
 * console.log(new TextDecoder().decode(encodeControl({ kind: "join", name: "alpine-1" })));
 * // "* alpine-1 joined"
 * ```
 *
 * @module
 */

import { displayBytes } from "../cli/display.ts";
import { LABEL_SEPARATOR, MAX_NAME_LENGTH } from "../chat/message.ts";
import { MAX_DATAGRAM } from "../udp/socket.ts";

/** A control datagram: join, leave, rename, who, here. */
export type Control =
  | { kind: "join" | "leave" | "who" | "here"; name: string }
  | { kind: "rename"; name: string; to: string };

/** What one datagram says, its texts already escaped for display. */
export type Datagram =
  | Control
  | { kind: "message"; name: string; text: string }
  | { kind: "raw"; text: string };

const NAME = `[A-Za-z0-9_.-]{1,${MAX_NAME_LENGTH}}`;
const MESSAGE = new RegExp(`^(${NAME}) : ([^]*)$`);
const CONTROL = new RegExp(
  `^\\* (${NAME}) (joined|left|asks who is here|is here|is now (${NAME}))$`,
);
const VERBS: Record<string, Control["kind"]> = {
  joined: "join",
  left: "leave",
  "asks who is here": "who",
  "is here": "here",
};

const ENCODER = new TextEncoder();

/** The datagram of a message: `NAME : TEXT` in UTF-8. */
export function encodeMessage(name: string, text: string): Uint8Array {
  return ENCODER.encode(`${name}${LABEL_SEPARATOR}${text}`);
}

/** The datagram of a control: `* NAME joined`, … */
export function encodeControl(control: Control): Uint8Array {
  const { name } = control;
  switch (control.kind) {
    case "join":
      return ENCODER.encode(`* ${name} joined`);
    case "leave":
      return ENCODER.encode(`* ${name} left`);
    case "who":
      return ENCODER.encode(`* ${name} asks who is here`);
    case "here":
      return ENCODER.encode(`* ${name} is here`);
    case "rename":
      return ENCODER.encode(`* ${name} is now ${control.to}`);
  }
}

/**
 * The most bytes of text one message from `name` can carry: a datagram
 * (65,507 bytes) less `NAME : `.
 */
export function maxTextBytes(name: string): number {
  return MAX_DATAGRAM - ENCODER.encode(name + LABEL_SEPARATOR).length;
}

/** Reads one datagram; peer bytes come back escaped (`\x1b`, `\xff`). */
export function parseDatagram(bytes: Uint8Array): Datagram {
  const shown = displayBytes(bytes);
  const control = CONTROL.exec(shown);
  if (control) {
    const [, name, verb, to] = control;
    if (to !== undefined) return { kind: "rename", name, to };
    return { kind: VERBS[verb], name } as Control;
  }
  const message = MESSAGE.exec(shown);
  if (message) return { kind: "message", name: message[1], text: message[2] };
  return { kind: "raw", text: shown };
}

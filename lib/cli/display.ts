/**
 * Safe display of bytes that came off the network. Nothing a peer sends is
 * written raw to a terminal: invalid UTF-8 becomes `\xNN`, control characters
 * (including ESC, so no terminal escape sequences) become `\n`, `\t`, `\xNN`
 * or `\u{NNNN}`, and a backslash is doubled so the escaping is unambiguous.
 *
 * @example Show a peer's bytes without letting them drive the terminal
 * ```ts
 * import { displayBytes, displayText } from "./display.ts";
 *
 * console.log(displayBytes(new Uint8Array([0x68, 0x69, 0x1b, 0xff]))); // "hi\\x1b\\xff"
 * console.log(displayText("a\tb")); // "a\\tb"
 * ```
 *
 * @module
 */

const STRICT_DECODER = new TextDecoder("utf-8", { fatal: true });

/**
 * Renders bytes as printable text. Printable ASCII is the fast path (the
 * lab's payloads), so a flood of ordinary datagrams costs one scan each.
 */
export function displayBytes(bytes: Uint8Array): string {
  if (isPlainAscii(bytes)) return latin1(bytes);
  let text: string;
  try {
    text = STRICT_DECODER.decode(bytes);
  } catch {
    return escapeInvalidUtf8(bytes);
  }
  return displayText(text);
}

/** Renders a string as printable text, escaping control characters. */
export function displayText(text: string): string {
  let out = "";
  for (const ch of text) out += escapeChar(ch);
  return out;
}

/**
 * Escapes a line that was already shown once, e.g. a role's human line read
 * back from a recording: whatever a terminal (or a report) would act on is
 * escaped as {@linkcode displayText} does, lone surrogates too, but a
 * backslash stays single, as the role printed it (its own escapes stay
 * readable, not doubled).
 */
export function displayShown(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code === 0x5c) out += ch;
    else if (code >= 0xd800 && code <= 0xdfff) {
      out += `\\u{${code.toString(16)}}`;
    } else out += escapeChar(ch);
  }
  return out;
}

/** Returns whether `bytes` is valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    STRICT_DECODER.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns whether the text has a character that {@linkcode displayText}
 * would escape: a control character, a line break or a bidirectional
 * override. Used to reject such text where it must not be relayed.
 */
export function hasControlChars(text: string): boolean {
  for (const ch of text) {
    if (ch !== "\\" && escapeChar(ch) !== ch) return true;
  }
  return false;
}

/**
 * Returns whether {@linkcode displayBytes} shows `bytes` exactly as they are
 * (printable ASCII, no backslash), so a receiver may copy them straight to
 * its output instead of building a string.
 */
export function displaysAsIs(bytes: Uint8Array): boolean {
  return isPlainAscii(bytes);
}

function isPlainAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 || b > 0x7e || b === 0x5c) return false;
  }
  return true;
}

function latin1(bytes: Uint8Array): string {
  // String.fromCharCode on chunks: cheaper than TextDecoder for short ASCII.
  // `apply` takes the typed array as it is; a spread (`...bytes`) would run
  // the iterator protocol per byte and cost ~7x more per datagram.
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + 8192) as unknown as number[],
    );
  }
  return out;
}

function escapeChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code === 0x5c) return "\\\\";
  if (code >= 0x20 && code < 0x7f) return ch;
  switch (code) {
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
  }
  if (code < 0x20 || code === 0x7f) return `\\x${hex2(code)}`;
  // C1 controls, and format characters that reorder or hide text
  // (bidirectional overrides and isolates, zero-width and BOM).
  if (
    (code >= 0x80 && code <= 0x9f) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  ) {
    return `\\u{${code.toString(16)}}`;
  }
  return ch;
}

function escapeInvalidUtf8(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) {
      out += `\\x${hex2(bytes[i])}`;
      i += 1;
    } else {
      out += displayText(STRICT_DECODER.decode(bytes.subarray(i, i + length)));
      i += length;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence at `i`, or 0 if there is none. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i];
  let length: number;
  if (b < 0x80) return 1;
  else if (b >= 0xc2 && b <= 0xdf) length = 2;
  else if (b >= 0xe0 && b <= 0xef) length = 3;
  else if (b >= 0xf0 && b <= 0xf4) length = 4;
  else return 0;
  if (i + length > bytes.length) return 0;
  for (let k = 1; k < length; k++) {
    if ((bytes[i + k] & 0xc0) !== 0x80) return 0;
  }
  try {
    STRICT_DECODER.decode(bytes.subarray(i, i + length));
  } catch {
    return 0; // overlong or surrogate encodings
  }
  return length;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/**
 * Command lines shown to people: quoted the way a POSIX shell needs, so a
 * student can copy a line from the lab's output or report and type it.
 *
 * @module
 */

import { hasControlChars } from "./display.ts";

/** Joins `args` into one shell command line, quoting what needs it. */
export function shellLine(args: readonly string[]): string {
  return args.map(quote).join(" ");
}

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function quote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  if (!hasControlChars(arg)) return `'${arg.replaceAll("'", `'\\''`)}'`;
  // Control characters, line breaks, bidirectional overrides: never raw on
  // a terminal or in a report, so ANSI-C quoting ($'…', bash and busybox
  // ash), which a shell turns back into the same bytes.
  let out = "";
  for (const ch of arg) {
    const code = ch.codePointAt(0)!;
    if (ch === "'" || ch === "\\") out += `\\${ch}`;
    else if (ch in NAMED) out += NAMED[ch];
    else if (!hasControlChars(ch)) out += ch;
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return `$'${out}'`;
}

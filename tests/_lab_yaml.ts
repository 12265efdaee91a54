/**
 * Lab files shared by the lab tests: a small valid topology, and one whose
 * texts carry what a terminal acts on.
 */

/** A valid topology's start: two hosts, no scenarios. */
export const BASE = `name: t
network:
  subnet: 192.168.122.0/24
hosts:
  alpine-1: 192.168.122.207
  alpine-2: 192.168.122.131
`;

/** Text a terminal acts on: ESC (colours, title), BEL, a line break. */
export const HOSTILE = "a\x1b]0;pwned\x07b\x1b[31mred\nnext";

/** A topology whose description and flag value carry terminal controls. */
export const HOSTILE_FILE = `name: t
network:
  subnet: 192.168.122.0/24
hosts:
  alpine-1: 192.168.122.207
  alpine-2: 192.168.122.131
scenarios:
  hostile:
    description: "evil \\e]0;pwned\\a title\\e[31m\\nsecond line"
    steps:
      - host: alpine-1
        role: broadcast-sender
        flags:
          to: "{broadcast}"
          count: 1
          quiet: true
          message: "x\`\`\`y | z\\e[31m"
`;

/** Every character a terminal would act on (but the line break). */
// deno-lint-ignore no-control-regex -- control characters are the point
export const CONTROL = /[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]/;

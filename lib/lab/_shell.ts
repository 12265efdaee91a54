/**
 * Command lines shown to people: quoted the way a POSIX shell needs, so a
 * student can copy a line from the lab's output or report and type it.
 *
 * @module
 */

/** Joins `args` into one shell command line, quoting what needs it. */
export function shellLine(args: readonly string[]): string {
  return args.map(quote).join(" ");
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg)
    ? arg
    : `'${arg.replaceAll("'", `'\\''`)}'`;
}

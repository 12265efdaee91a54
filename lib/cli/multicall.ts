/**
 * The multi-call program's dispatch: one program holds every role and picks
 * one by the name it was started under (a link named `udp-server`) or by
 * its first argument; with neither it lists the roles.
 *
 * @module
 */

import { ERROR_WORD, EXIT_OK, EXIT_USAGE } from "./errors.ts";
import type { Lang } from "./i18n.ts";
import { printError } from "./output.ts";
import { closestWord, type CommandSpec, langOfArgs } from "./parse.ts";
import { tableLines } from "./table.ts";
import { ROLES } from "../roles.ts";

/** A role's module as the multi-call program uses it (see `cmd/udp_server.ts`). */
export interface RoleModule {
  /** The role's command line (name, summary, flags). */
  SPEC: CommandSpec;
  /** Runs the role with `args`; resolves to the exit code. */
  main(args: string[]): Promise<number>;
}

/** The multi-call program's own lines, in one language. */
export interface MulticallText {
  /** The usage line. */
  usage: string;
  /** The heading of the role list. */
  roles: string;
  /** Where to read more, under the list. */
  more: string;
  /** An unknown role, with the known ones. */
  unknown(name: string, names: string): string;
  /** An unknown role close to a known one. */
  guess(name: string, role: string): string;
}

/** Options for {@linkcode runMulticall}. */
export interface MulticallOptions {
  /** The roles to choose from, by name. */
  modules: Readonly<Record<string, RoleModule>>;
  /** The program's lines in each language. */
  text: Readonly<Record<Lang, MulticallText>>;
  /** The name the program was started under (`argv[0]`, a path or not). */
  programName: string;
}

/**
 * Picks the role from the program's name or the first argument and runs it;
 * resolves to the exit code. Unknown roles are a usage error (exit 2).
 */
export async function runMulticall(
  args: string[],
  options: MulticallOptions,
): Promise<number> {
  const { modules, text } = options;
  const called = baseName(options.programName);
  const byName = modules[called];
  if (byName) return await byName.main(args);

  const [first, ...rest] = args;
  const lang = langOfArgs(args);
  if (first === undefined || first.startsWith("-")) {
    const asked = first === "--help" || first === "-h";
    const help = formatRoleList(modules, { lang, text: text[lang] });
    if (asked) console.log(help);
    else printError(help);
    return asked ? EXIT_OK : EXIT_USAGE;
  }
  const chosen = modules[first];
  if (!chosen) {
    const names = Object.keys(modules);
    const guess = closestWord(first, names);
    printError(
      `progjar: ${ERROR_WORD[lang]}: ${
        guess
          ? text[lang].guess(first, guess)
          : text[lang].unknown(first, names.join(", "))
      }`,
    );
    return EXIT_USAGE;
  }
  return await chosen.main(rest);
}

/** Options for {@linkcode formatRoleList}. */
export interface RoleListOptions {
  /** The language of the roles' summaries. */
  lang: Lang;
  /** The program's lines in that language. */
  text: MulticallText;
}

/**
 * The `--help` text: usage and one line per role, in the order of the table
 * in `lib/roles.ts`.
 */
export function formatRoleList(
  modules: Readonly<Record<string, RoleModule>>,
  options: RoleListOptions,
): string {
  const { lang, text } = options;
  // The roles in the table's order, then the other commands (`serve`).
  const roles = ROLES.map((role) => role.name).filter((name) => modules[name]);
  const names = [
    ...roles,
    ...Object.keys(modules).filter((name) => !roles.includes(name)),
  ];
  return [
    text.usage,
    "",
    text.roles,
    ...tableLines(
      names.map((name) => [`  ${name}`, modules[name].SPEC.summary[lang]]),
    ),
    "",
    text.more,
  ].join("\n");
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

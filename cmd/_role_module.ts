/**
 * What every role's module exports (see `cmd/udp_server.ts`): its command
 * line and its `main`.
 *
 * @module
 */

import type { CommandSpec } from "../lib/cli/parse.ts";

/** A role's module as the multi-call program uses it. */
export interface RoleModule {
  /** The role's command line (name, summary, flags). */
  SPEC: CommandSpec;
  /** Runs the role with `args`; resolves to the exit code. */
  main(args: string[]): Promise<number>;
}

/**
 * What every role's module exports (see `cmd/udp_server.ts`): its command
 * line and its `main`. The type lives with the multi-call dispatch in
 * `lib/cli/multicall.ts`; the generated `cmd/_roles_index.ts` imports it
 * from here.
 *
 * @module
 */

export type { RoleModule } from "../lib/cli/multicall.ts";

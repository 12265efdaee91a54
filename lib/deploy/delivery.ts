/**
 * What a VM installed by `serve` sends back, and where it keeps it: the
 * format both ends share (the VM's `progjar-send`, `lib/deploy/vm_send.ts`,
 * and serve's store, `lib/deploy/records_store.ts`).
 *
 * On the VM (its own disk, so a reboot keeps it):
 *
 * | path | what |
 * |---|---|
 * | `/var/lib/progjar/serve.conf` | `base=`, `vm=`, `secret=` lines written by the served install.sh (mode 600) |
 * | `/var/lib/progjar/records/pending/<run>.jsonl` | a role's recording (`lib/cli/recording.ts`), one file per run |
 * | `/var/lib/progjar/records/sent/<run>.jsonl` | the same once serve acknowledged it |
 * | `/var/lib/progjar/records/refused/<run>.jsonl` | a run serve will never take (invalid, too large): kept, not retried |
 * | `/var/lib/progjar/send.log` | what the background sender said |
 *
 * A delivery is `POST /records` with `Authorization: Bearer <secret>` and
 * an NDJSON body: one head line ({@linkcode DeliveryHead}: the run's id,
 * the VM's clock as it sends, the VM's facts), then the run's entries as
 * the role wrote them. A head with `run: null` and no entries delivers the
 * VM's facts only (install.sh does it once, to check the way back).
 *
 * @example A head line, and an entry checked as serve checks it
 * ```ts
 * import { checkEntry, parseConf } from "./delivery.ts";
 *
 * console.log(checkEntry({ t: 1764482280123, pid: 42, text: "listening" })); // undefined
 * console.log(checkEntry({ t: 1, pid: 42, text: "a", end: { code: 0, dropped: 0 } })); // "more than one kind"
 * const conf = parseConf("base=http://192.168.122.1:8000\nvm=vm-1-192-168-122-131\nsecret=" + "ab".repeat(32) + "\n");
 * console.log(conf?.vm); // "vm-1-192-168-122-131"
 * ```
 *
 * @module
 */

import { isIpv4 } from "../cli/address.ts";

/** The VM's own directory for progjar's state. */
export const VM_STATE_DIR = "/var/lib/progjar";
/** What install.sh writes: where serve is, and this VM's id and secret. */
export const VM_CONF = `${VM_STATE_DIR}/serve.conf`;
/** The runs' directory on the VM. */
export const VM_RECORDS = `${VM_STATE_DIR}/records`;
/** The background sender's log on the VM. */
export const VM_SEND_LOG = `${VM_STATE_DIR}/send.log`;
/** serve's records endpoint. */
export const RECORDS_PATH = "/records";
/** Most bytes of a head line. */
export const HEAD_LIMIT = 4096;

/** What a VM says of itself with every delivery. */
export interface VmFacts {
  /** Its host name (`alpine-2`). */
  hostname: string;
  /** eth0's IPv4 address (else the first non-loopback one). */
  address?: string;
  /** Its prefix length (`24`). */
  prefix?: number;
  /** Its network's broadcast address. */
  broadcast?: string;
}

/** The first line of a delivery. */
export interface DeliveryHead {
  /** The format's version. */
  progjar: 1;
  /** The run delivered; `null`: the VM's facts only. */
  run: string | null;
  /** The VM's clock when it sent this (ms since the epoch, its own idea). */
  clock: number;
  /** What the VM says of itself. */
  vm: VmFacts;
}

/** The contents of {@linkcode VM_CONF}. */
export interface VmConf {
  /** serve as the VM reached it: `http://192.168.122.1:8000`. */
  base: string;
  /** The VM's id in serve's store (serve chose it). */
  vm: string;
  /** The secret serve issued at install. */
  secret: string;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SECRET = /^[0-9a-f]{64}$/;
const VM_ID = /^vm-[0-9]{1,6}-[0-9a-z-]{1,45}$/;
const BASE = /^http:\/\/[A-Za-z0-9.\-]+(:[0-9]{1,5})?$/;
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const ROLE_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const KINDS = ["start", "record", "text", "pattern", "end"] as const;

/** Whether `id` can be a run's id (letters, digits, `.`, `_`, `-`; no `..`). */
export function isRunId(id: unknown): id is string {
  return typeof id === "string" && RUN_ID.test(id) && !id.includes("..");
}

/** Whether `text` has the shape of a secret serve issues (64 hex digits). */
export function isSecret(text: unknown): text is string {
  return typeof text === "string" && SECRET.test(text);
}

/** Whether `id` has the shape of the VM ids serve makes. */
export function isVmId(id: unknown): id is string {
  return typeof id === "string" && VM_ID.test(id);
}

/** Whether `name` is a host name (RFC 1123 labels, `_` too; no `/`, `..`, controls). */
export function isHostname(name: unknown): boolean {
  return typeof name === "string" && name.length <= 253 &&
    HOSTNAME.test(name);
}

/** The lines of {@linkcode VM_CONF} (every value is shell-safe). */
export function confText(conf: VmConf): string {
  if (
    !BASE.test(conf.base) || !isVmId(conf.vm) || !isSecret(conf.secret)
  ) {
    throw new Error("unsafe serve.conf values");
  }
  return `base=${conf.base}\nvm=${conf.vm}\nsecret=${conf.secret}\n`;
}

/** Reads {@linkcode VM_CONF}'s text; `undefined` when it is not one. */
export function parseConf(text: string): VmConf | undefined {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0 && !line.startsWith("#")) {
      values.set(line.slice(0, at), line.slice(at + 1).trim());
    }
  }
  const conf = {
    base: values.get("base") ?? "",
    vm: values.get("vm") ?? "",
    secret: values.get("secret") ?? "",
  };
  return BASE.test(conf.base) && isVmId(conf.vm) && isSecret(conf.secret)
    ? conf
    : undefined;
}

/** Why `value` is not a delivery head, or `undefined` when it is one. */
export function checkHead(value: unknown): string | undefined {
  if (!isObject(value)) return "the head is not an object";
  if (value.progjar !== 1) return "not a progjar delivery (progjar: 1)";
  if (value.run !== null && !isRunId(value.run)) return "bad run id";
  if (!isTime(value.clock)) return "bad clock";
  const vm = value.vm;
  if (!isObject(vm)) return "no VM facts";
  if (!isHostname(vm.hostname)) return "bad host name";
  if (vm.address !== undefined && !isIpv4String(vm.address)) {
    return "bad address";
  }
  if (
    vm.prefix !== undefined &&
    !(Number.isInteger(vm.prefix) && Number(vm.prefix) >= 0 &&
      Number(vm.prefix) <= 32)
  ) {
    return "bad prefix";
  }
  if (vm.broadcast !== undefined && !isIpv4String(vm.broadcast)) {
    return "bad broadcast address";
  }
  const extra =
    Object.keys(value).find((key) =>
      !["progjar", "run", "clock", "vm"].includes(key)
    ) ?? Object.keys(vm).find((key) =>
      !["hostname", "address", "prefix", "broadcast"].includes(key)
    );
  return extra === undefined ? undefined : `unknown field ${extra}`;
}

/**
 * Why `value` is not a recording entry as `lib/cli/recording.ts` writes
 * them (`t`, `pid`, exactly one of `start`, `record`, `text`, `pattern`,
 * `end`, each of its type), or `undefined` when it is one.
 */
export function checkEntry(value: unknown): string | undefined {
  if (!isObject(value)) return "not an object";
  if (!isTime(value.t)) return "bad t";
  if (!(Number.isSafeInteger(value.pid) && Number(value.pid) > 0)) {
    return "bad pid";
  }
  const kinds = KINDS.filter((kind) => kind in value);
  if (kinds.length !== 1) {
    return kinds.length === 0 ? "no entry kind" : "more than one kind";
  }
  const extra = Object.keys(value).find((key) =>
    key !== "t" && key !== "pid" && key !== kinds[0]
  );
  if (extra !== undefined) return `unknown field ${extra}`;
  switch (kinds[0]) {
    case "start": {
      const start = value.start;
      if (
        !isObject(start) || typeof start.role !== "string" ||
        !ROLE_NAME.test(start.role) || !Array.isArray(start.argv) ||
        !start.argv.every((arg) => typeof arg === "string") ||
        (start.lang !== "en" && start.lang !== "id") ||
        (start.via !== undefined && typeof start.via !== "string")
      ) {
        return "bad start";
      }
      return undefined;
    }
    case "record":
      return isObject(value.record) ? undefined : "bad record";
    case "text":
      return typeof value.text === "string" ? undefined : "bad text";
    case "pattern":
      return value.pattern === null ||
          (Array.isArray(value.pattern) &&
            value.pattern.every((line) => typeof line === "string"))
        ? undefined
        : "bad pattern";
    default: {
      const end = value.end;
      return isObject(end) && Number.isSafeInteger(end.code) &&
          Number.isSafeInteger(end.dropped)
        ? undefined
        : "bad end";
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A clock reading: whole milliseconds since the epoch, any sane VM clock. */
function isTime(value: unknown): value is number {
  return Number.isSafeInteger(value) && Number(value) >= 0;
}

function isIpv4String(value: unknown): value is string {
  return typeof value === "string" && isIpv4(value);
}

/**
 * serve: puts progjar on the lab VMs over HTTP. Hands out `install.sh`, the
 * Alpine pack, the self-extracting programs and the bundle from `dist/`
 * (building what is missing or stale first), prints the line to paste on
 * each VM (`wget -qO- http://192.168.122.1:8000/install.sh | sh`) for every
 * local IPv4 address, then one line per download (a flood: a few lines and
 * a count). Ctrl+C stops it with a summary. The work is in
 * `lib/deploy/serve_run.ts`; this file holds the flags, the texts and main.
 *
 * @module
 */

import { checkIpv4, checkPort } from "../lib/cli/address.ts";
import { LISTEN_BIND_FLAG, listenPortFlag } from "../lib/cli/common_flags.ts";
import { RuntimeError, UsageError } from "../lib/cli/errors.ts";
import { type CommandSpec, stringFlag } from "../lib/cli/parse.ts";
import { onStop, type RoleContext, runRole } from "../lib/cli/run.ts";
import { LIMIT_FLAGS, limitsOf } from "../lib/deploy/serve_limits.ts";
import {
  openRecords,
  RECORDS_FLAGS,
  recordsRoute,
  storeLine,
} from "../lib/deploy/serve_records.ts";
import { runServe } from "../lib/deploy/serve_run.ts";
import { eventLines } from "../lib/deploy/serve_text.ts";

/** serve's default TCP port. */
export const SERVE_PORT = 8000;

/** serve's command line. */
export const SPEC: CommandSpec = {
  name: "serve",
  summary: {
    en:
      "hand progjar to the lab VMs over HTTP: wget -qO- http://HOST:8000/install.sh | sh",
    id:
      "bagikan progjar ke VM lab lewat HTTP: wget -qO- http://HOST:8000/install.sh | sh",
  },
  flags: {
    port: listenPortFlag(SERVE_PORT, "TCP"),
    bind: LISTEN_BIND_FLAG,
    dir: {
      type: "string",
      default: "dist",
      valueName: "DIR",
      help: {
        en: "directory of the files to hand out",
        id: "direktori berkas yang dibagikan",
      },
    },
    machine: {
      type: "string",
      default: "x86_64",
      valueName: "M",
      help: {
        en: "the VMs' machine (uname -m): x86_64 or aarch64",
        id: "mesin VM (uname -m): x86_64 atau aarch64",
      },
    },
    ...RECORDS_FLAGS,
    ...LIMIT_FLAGS,
    "no-build": {
      type: "boolean",
      help: {
        en:
          "build nothing: hand out what DIR has and name the task for what it lacks",
        id:
          "jangan membangun apa pun: bagikan isi DIR dan sebutkan task untuk yang kurang",
      },
    },
  },
  examples: [
    "serve",
    "serve --port 8080 --bind 192.168.122.1",
    "serve --max-per-host 0   (every VM behind one NAT address)",
    "./progjar-x86_64-linux serve   (hands out itself and the files next to it)",
  ],
  notes: {
    en:
      "On each VM, as root: wget -qO- http://<this machine>:<port>/install.sh | sh\n" +
      "(GNS3 NAT cloud: the host is 192.168.122.1). install.sh?lang=id gives\n" +
      "Indonesian messages. The script checks free space and the pack's SHA-256\n" +
      "and installs nothing if either fails; a download cut off resumes (wget -c).\n" +
      "Limits: --max-per-host stops one address (a script in a loop) taking every\n" +
      "connection; VMs behind one NAT share an address: raise it or give 0.",
    id:
      "Di setiap VM, sebagai root: wget -qO- http://<mesin ini>:<port>/install.sh | sh\n" +
      "(GNS3 NAT cloud: host-nya 192.168.122.1). install.sh?lang=id memberi pesan\n" +
      "berbahasa Indonesia. Skrip memeriksa ruang kosong dan SHA-256 paket, dan\n" +
      "tidak memasang apa pun bila salah satunya gagal; unduhan terputus dilanjutkan\n" +
      "(wget -c). Batas: --max-per-host mencegah satu alamat (skrip dalam loop)\n" +
      "mengambil semua koneksi; VM di balik satu NAT berbagi alamat: naikkan atau beri 0.",
  },
};

/** Runs serve with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, serve);
}

async function serve({ flags, out }: RoleContext): Promise<number> {
  const port = checkPort("port", stringFlag(flags, "port")!, {
    allowZero: true,
  });
  const bind = checkIpv4("bind", stringFlag(flags, "bind")!);
  const dir = stringFlag(flags, "dir")!.replace(/\/+$/, "") || "/";
  const machine = stringFlag(flags, "machine")!;
  if (machine !== "x86_64" && machine !== "aarch64") {
    throw new UsageError({
      en: `--machine: ${machine}: x86_64 or aarch64`,
      id: `--machine: ${machine}: x86_64 atau aarch64`,
    });
  }
  const limits = limitsOf(flags);
  const store = await openRecords(flags, dir);
  const stop = onStop(() => {});
  try {
    await runServe({
      dir,
      bind,
      port,
      machine,
      lang: flags.lang,
      build: !flags.values["no-build"],
      limits,
      records: recordsRoute(store, { out, lang: flags.lang }),
      signal: stop.signal,
      onEvent(event) {
        // Where the records go, before the line to paste.
        if (event.type === "listening") out.line(storeLine(store, flags.lang));
        for (const line of eventLines(event, flags.lang, limits)) {
          out.line(line);
        }
        if (event.type !== "file" && event.type !== "serving") {
          out.record({ ...event } as Record<string, unknown>);
        }
        if (event.type === "building" || event.type === "listening") {
          out.flush();
        }
      },
    });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      throw new RuntimeError({
        en:
          `address already in use: tcp ${bind}:${port} (another program listens there: ss -tlpn shows which; stop it or pick another --port)`,
        id:
          `alamat sudah dipakai: tcp ${bind}:${port} (program lain mendengarkan di sana: ss -tlpn menunjukkan yang mana; hentikan atau pilih --port lain)`,
      });
    }
    throw err;
  } finally {
    stop.dispose();
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

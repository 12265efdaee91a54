/**
 * serve: puts progjar on the lab VMs over HTTP. Hands out `install.sh`, the
 * Alpine pack, the self-extracting programs and the bundle from `dist/`
 * (building what is missing or stale first), prints the line to paste on
 * each VM (`wget -qO- http://192.168.122.1:8000/install.sh | sh`) for every
 * local IPv4 address, then one line per download. Ctrl+C stops it with a
 * summary.
 *
 * @module
 */

import { checkIpv4, checkPort } from "../lib/cli/address.ts";
import { LISTEN_BIND_FLAG, listenPortFlag } from "../lib/cli/common_flags.ts";
import { RuntimeError, UsageError } from "../lib/cli/errors.ts";
import { plural } from "../lib/cli/i18n.ts";
import { type CommandSpec, stringFlag } from "../lib/cli/parse.ts";
import { onStop, type RoleContext, runRole } from "../lib/cli/run.ts";
import {
  alpinePackOf,
  listArtefacts,
  packFacts,
} from "../lib/deploy/artefacts.ts";
import {
  buildOutdated,
  repositoryOf,
  staleArtefacts,
  wantedArtefacts,
} from "../lib/deploy/build.ts";
import { startServer, type Transfer } from "../lib/deploy/server.ts";
import {
  openRecords,
  RECORDS_FLAGS,
  recordsRoute,
  storeLine,
} from "../lib/deploy/serve_records.ts";
import { formatBytes, pasteLines } from "../lib/deploy/serve_lines.ts";

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
    "./progjar-x86_64-linux serve   (hands out itself and the files next to it)",
  ],
  notes: {
    en:
      "On each VM, as root: wget -qO- http://<this machine>:<port>/install.sh | sh\n" +
      "(GNS3 NAT cloud: the host is 192.168.122.1). install.sh?lang=id gives\n" +
      "Indonesian messages. The script checks free space and the pack's SHA-256\n" +
      "and installs nothing if either fails.",
    id:
      "Di setiap VM, sebagai root: wget -qO- http://<mesin ini>:<port>/install.sh | sh\n" +
      "(GNS3 NAT cloud: host-nya 192.168.122.1). install.sh?lang=id memberi pesan\n" +
      "berbahasa Indonesia. Skrip memeriksa ruang kosong dan SHA-256 paket, dan\n" +
      "tidak memasang apa pun bila salah satunya gagal.",
  },
};

const TEXT = {
  en: {
    building: (name: string, why: string, task: string) =>
      `${name} is ${why}: building it (deno task ${task})`,
    staleOther: (name: string, task: string) =>
      `note: ${name} is older than the code and is served as it is (deno task ${task} rebuilds it)`,
    missing: (name: string, task: string) =>
      `note: no ${name} here (deno task ${task} builds it)`,
    noPack: (name: string, task: string) =>
      `note: no ${name} here: install.sh will say so on the VM (deno task ${task} builds it)`,
    serving: (dir: string) => `serving ${dir}:`,
    pack: (name: string, mb: string, unpacked: string, sha: string) =>
      `  install.sh installs ${name} (${mb}, unpacks to ${unpacked}, sha256 ${sha}…)`,
    file: (name: string, size: string) => `  /${name}  ${size}`,
    paste:
      "on each VM, as root, paste the line of the network it shares with this machine:",
    listening: (address: string) =>
      `listening on http ${address}; Ctrl+C stops`,
    // A cut-off download counts the bytes handed to the connection; some
    // may still have been in the socket buffer when the client went away.
    transfer: (t: Transfer, size: string) =>
      t.complete
        ? `${t.client}  ${t.path}  ${t.status}  ${size}  ${
          t.seconds.toFixed(2)
        } s`
        : `${t.client}  ${t.path}  ${t.status}  up to ${size}  ${
          t.seconds.toFixed(2)
        } s  (cut off: the client went away; it got at most this much)`,
    summary: (requests: number, downloads: number, size: string, cut: number) =>
      `done: ${plural(requests, "request", "requests")}, ${
        plural(downloads, "complete download", "complete downloads")
      }, ${cut === 0 ? "" : "up to "}${size} sent${
        cut === 0 ? "" : ` (${plural(cut, "download", "downloads")} cut off)`
      }`,
    stale: "older than the code",
    absent: "missing",
  },
  id: {
    building: (name: string, why: string, task: string) =>
      `${name} ${why}: membangunnya (deno task ${task})`,
    staleOther: (name: string, task: string) =>
      `catatan: ${name} lebih tua dari kodenya dan dibagikan apa adanya (deno task ${task} membangunnya ulang)`,
    missing: (name: string, task: string) =>
      `catatan: tidak ada ${name} di sini (deno task ${task} membangunnya)`,
    noPack: (name: string, task: string) =>
      `catatan: tidak ada ${name} di sini: install.sh akan mengatakannya di VM (deno task ${task} membangunnya)`,
    serving: (dir: string) => `membagikan ${dir}:`,
    pack: (name: string, mb: string, unpacked: string, sha: string) =>
      `  install.sh memasang ${name} (${mb}, terbongkar ${unpacked}, sha256 ${sha}…)`,
    file: (name: string, size: string) => `  /${name}  ${size}`,
    paste:
      "di setiap VM, sebagai root, tempel baris jaringan yang sama dengan mesin ini:",
    listening: (address: string) =>
      `mendengarkan di http ${address}; Ctrl+C menghentikan`,
    transfer: (t: Transfer, size: string) =>
      t.complete
        ? `${t.client}  ${t.path}  ${t.status}  ${size}  ${
          t.seconds.toFixed(2)
        } dtk`
        : `${t.client}  ${t.path}  ${t.status}  paling banyak ${size}  ${
          t.seconds.toFixed(2)
        } dtk  (terputus: klien pergi; yang diterimanya paling banyak sebesar ini)`,
    summary: (requests: number, downloads: number, size: string, cut: number) =>
      `selesai: ${requests} permintaan, ${downloads} unduhan lengkap, ${
        cut === 0 ? "" : "paling banyak "
      }${size} terkirim${cut === 0 ? "" : ` (${cut} unduhan terputus)`}`,
    stale: "lebih tua dari kodenya",
    absent: "tidak ada",
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
  const lang = flags.lang;
  const text = TEXT[lang];
  const store = await openRecords(flags, dir);

  const root = flags.values["no-build"] ? undefined : repositoryOf(dir);
  if (root) {
    await buildOutdated(dir, {
      root,
      machine,
      onBuild(next) {
        const why = next.why === "stale" ? text.stale : text.absent;
        out.line(text.building(next.name, why, next.task.join(" ")));
        out.flush();
      },
    });
    // What serve does not build (another machine's files) may be older than
    // the code: say so rather than hand it out silently.
    for (const other of await staleArtefacts(dir, { root, machine })) {
      out.line(text.staleOther(other.name, other.task.join(" ")));
    }
  }
  const artefacts = await listArtefacts(dir);
  const pack = alpinePackOf(artefacts, machine);
  for (const wanted of wantedArtefacts(machine)) {
    if (artefacts.some((a) => a.name === wanted.name)) continue;
    out.line(
      wanted.name === pack?.name || !wanted.name.startsWith("progjar-alpine")
        ? text.missing(wanted.name, wanted.task.join(" "))
        : text.noPack(wanted.name, wanted.task.join(" ")),
    );
  }

  const stats = { requests: 0, downloads: 0, bytes: 0, cutOff: 0 };
  const stop = onStop(() => {});
  let server;
  try {
    server = startServer({
      dir,
      hostname: bind,
      port,
      machine,
      lang,
      signal: stop.signal,
      onTransfer(transfer) {
        stats.requests++;
        stats.bytes += transfer.bytes;
        if (transfer.complete && transfer.status === 200) stats.downloads++;
        if (!transfer.complete) stats.cutOff++;
        out.line(text.transfer(transfer, formatBytes(transfer.bytes)));
        out.record({ type: "transfer", ...transfer });
      },
      records: recordsRoute(store, { out, lang }),
    });
  } catch (err) {
    stop.dispose();
    if (err instanceof Deno.errors.AddrInUse) {
      throw new RuntimeError({
        en:
          `address already in use: tcp ${bind}:${port} (another program listens there: ss -tlpn shows which; stop it or pick another --port)`,
        id:
          `alamat sudah dipakai: tcp ${bind}:${port} (program lain mendengarkan di sana: ss -tlpn menunjukkan yang mana; hentikan atau pilih --port lain)`,
      });
    }
    throw err;
  }

  out.line(text.serving(dir));
  if (pack) {
    const facts = await packFacts(pack);
    out.line(
      text.pack(
        pack.name,
        formatBytes(facts.size),
        formatBytes(facts.unpackedSize),
        facts.sha256.slice(0, 12),
      ),
    );
    out.record({ type: "pack", ...facts });
  }
  for (const artefact of artefacts) {
    out.line(text.file(artefact.name, formatBytes(artefact.size)));
  }
  out.line(storeLine(store, lang));
  out.line(text.paste);
  const lines = pasteLines(bind, server.port);
  for (const { name, line } of lines) out.line(`  ${name.padEnd(10)} ${line}`);
  out.line(text.listening(`${bind}:${server.port}`));
  out.record({
    type: "listening",
    address: bind,
    port: server.port,
    lines: lines.map((l) => l.line),
  });
  out.flush();

  await server.finished;
  stop.dispose();
  out.line(
    text.summary(
      stats.requests,
      stats.downloads,
      formatBytes(stats.bytes),
      stats.cutOff,
    ),
  );
  out.record({ type: "summary", ...stats });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

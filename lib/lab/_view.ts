/**
 * Internal: `lab view`, the lab in a browser: its flags (`--port`,
 * `--bind`, `--pcap`), checked, and the view started on the lab the
 * options name, or on a capture file with the topology file's hosts.
 *
 * @module
 */

import { checkIpv4, checkPort } from "../cli/address.ts";
import type { Lang } from "../cli/i18n.ts";
import type { FlagSpec } from "../cli/parse.ts";
import { readRuns } from "../hand/records.ts";
import { checkLabPrivileges } from "../net/netns.ts";
import type { Topology } from "../scenario/types.ts";
import { type RecordedSocket, recordedSockets } from "../view/sockets.ts";
import { runView } from "../view/view.ts";
import type { Ui } from "./_session.ts";

/** The port the page is served on unless `--port` says. */
export const VIEW_PORT = 8090;
/** The address it is served on unless `--bind` says. */
export const VIEW_BIND = "127.0.0.1";

/** `lab view`'s flags, for the lab tool's command line. */
export const VIEW_FLAGS: Record<string, FlagSpec> = {
  port: {
    type: "string",
    valueName: "PORT",
    help: {
      en:
        `view: the TCP port of the page (default ${VIEW_PORT}; 0: any free port)`,
      id: `view: port TCP halaman (bawaan ${VIEW_PORT}; 0: port bebas)`,
    },
  },
  bind: {
    type: "string",
    valueName: "ADDRESS",
    help: {
      en:
        `view: the address the page is served on (default ${VIEW_BIND}, this machine only; any other is warned about)`,
      id:
        `view: alamat tempat halaman disajikan (bawaan ${VIEW_BIND}, hanya mesin ini; alamat lain diberi peringatan)`,
    },
  },
  pcap: {
    type: "string",
    valueName: "FILE",
    help: {
      en:
        "view: replay a capture (pcap or pcapng: GNS3, Wireshark, tcpdump) instead of watching the lab; needs no root and no lab",
      id:
        "view: putar ulang tangkapan (pcap atau pcapng: GNS3, Wireshark, tcpdump) alih-alih mengamati lab; tanpa root dan tanpa lab",
    },
  },
};

/** What `lab view` was given. */
export interface LabViewOptions {
  /** The topology file, if there is one. */
  topology?: Topology;
  /** `--port`, `--bind`, `--pcap` as given. */
  port?: string;
  bind?: string;
  pcap?: string;
  /** The language. */
  lang: Lang;
}

/** `lab view`: resolves to the exit code once Ctrl+C has stopped it. */
export async function labView(
  ui: Ui,
  options: LabViewOptions,
): Promise<number> {
  const port = checkPort("port", options.port ?? String(VIEW_PORT), {
    allowZero: true,
  });
  const bind = checkIpv4("bind", options.bind ?? VIEW_BIND);
  const { topology, pcap } = options;
  if (pcap === undefined) await checkLabPrivileges();
  return await runView({
    out: ui.out,
    lang: options.lang,
    lab: ui.name,
    bind,
    port,
    pcap,
    hosts: topology?.hosts.map((h) => ({ name: h.name, address: h.address })) ??
      [],
    note: topology
      ? `${topology.subnet.cidr}, broadcast ${topology.subnet.broadcast}`
      : "",
    broadcast: topology?.subnet.broadcast,
    subnet: topology?.subnet,
    recorded: pcap === undefined ? undefined : await recordedByHost(ui.name),
    upHint: ui.hint("up"),
  });
}

/** The sockets the lab's recordings say each host had (for a replay). */
async function recordedByHost(
  lab: string,
): Promise<Map<string, RecordedSocket[]>> {
  const byHost = new Map<string, RecordedSocket[]>();
  try {
    for (const run of await readRuns(lab)) {
      const list = byHost.get(run.host) ?? [];
      list.push(...recordedSockets([run]));
      byHost.set(run.host, list);
    }
  } catch {
    // no recordings readable: no verdicts
  }
  return byHost;
}

/**
 * A capture file replayed in the view (`lab view --pcap FILE`): pcap or
 * pcapng from GNS3's link capture, Wireshark, tcpdump on a VM, or the
 * lab's own captures, on the capture's own time axis.
 *
 * The file is read once through (`lib/wire`'s reader, in chunks) to find
 * its hosts and count its frames; then each page gets its own replay,
 * read again from the start, as fast as the page asks for events (it
 * plays them at its own speed, pauses and steps): nothing is sampled and
 * nothing dropped. A file cut short (a capture killed mid-write) is
 * replayed up to where it ends, and every page is told why it stops
 * there; a file that is no capture at all is an error (exit code 2).
 *
 * @example Open a capture for the view
 * ```ts
 * import { openReplay } from "./replay.ts";
 *
 * async function serve(path: string) {
 *   const replay = await openReplay({
 *     file: path, lab: "progjar", lang: "en", note: "", hosts: [],
 *   });
 *   console.log(replay.summary().totals.frames, "frames");
 *   replay.close();
 * }
 * ```
 *
 * @module
 */

import { basename } from "node:path";
import type { Lang, Text } from "../cli/i18n.ts";
import { CaptureError } from "../wire/errors.ts";
import type { Frame } from "../wire/frame.ts";
import { readCapture } from "../wire/read.ts";
import { Client, type ClientLimits, DEFAULT_LIMITS } from "./_client.ts";
import { detailReply, helloOf, parseRequest } from "./_protocol.ts";
import { FrameStore } from "./_store.ts";
import { EventModel, type Totals, type ViewEvent } from "./events.ts";
import { type HostSeed, HostTable, sourceAddress } from "./hosts.ts";
import { ipv4ToNumber } from "../cli/address.ts";
import type { ViewSource, ViewSummary } from "./hub.ts";
import { type RecordedSocket, SocketBook } from "./sockets.ts";

/** Options for {@linkcode openReplay}. */
export interface ReplayOptions {
  /** The capture file. */
  file: string;
  /** The lab's name (of the topology file). */
  lab: string;
  /** The language the view was started in. */
  lang: Lang;
  /** The picture's note under the switch. */
  note: string;
  /** The topology file's hosts: they name the addresses they have. */
  hosts: HostSeed[];
  /** The subnet's broadcast address, if the topology file says. */
  broadcast?: string;
  /**
   * The topology file's subnet: when no frame comes from an address in it,
   * the capture is of another network, and its hosts are left out.
   */
  subnet?: { network: string; broadcast: string };
  /** Sockets the lab's recordings say each host had, by host name. */
  recorded?: Map<string, RecordedSocket[]>;
  /** Each page's limits. */
  limits?: ClientLimits;
}

/** Events a page is sent in one message at most. */
const BATCH = 256;

/** What the first reading found. */
interface Scan {
  totals: Totals;
  hosts: HostTable;
  problem?: Text;
}

/**
 * Reads `options.file` through (its hosts, its counts) and returns the
 * replay; throws the reader's {@linkcode CaptureError} when the file has
 * no frame before its problem (not a capture, empty, unreadable).
 */
export async function openReplay(options: ReplayOptions): Promise<Replay> {
  let scan = await scanCapture(options);
  if (options.hosts.length > 0 && !scan.inSubnet) {
    // Another network: the topology file's hosts and subnet are not in it.
    options = { ...options, hosts: [], note: basename(options.file) };
    scan = await scanCapture(options);
  }
  return new Replay(options, scan);
}

async function scanCapture(
  options: ReplayOptions,
): Promise<Scan & { inSubnet: boolean }> {
  const model = new EventModel(tableOf(options));
  const subnet = options.subnet;
  const low = subnet ? ipv4ToNumber(subnet.network) : 0;
  const high = subnet ? ipv4ToNumber(subnet.broadcast) : -1;
  let inSubnet = false;
  let problem: Text | undefined;
  try {
    for await (const frame of readCapture(options.file)) {
      model.add(frame);
      if (!inSubnet && subnet) {
        const address = sourceAddress(frame);
        const n = address === undefined ? -1 : ipv4ToNumber(address);
        inSubnet = n >= low && n <= high;
      }
    }
  } catch (err) {
    if (!(err instanceof CaptureError) || model.totals.frames === 0) throw err;
    problem = err.text;
  }
  return {
    totals: model.totals,
    hosts: model.hosts,
    problem,
    inSubnet: inSubnet || !subnet,
  };
}

function tableOf(options: ReplayOptions): HostTable {
  return new HostTable(options.hosts, {
    learn: true,
    broadcast: options.broadcast,
  });
}

/** A capture file served to pages, each replaying it on its own. */
export class Replay implements ViewSource {
  #options: ReplayOptions;
  #scan: Scan;
  #sessions = new Set<Session>();
  #served = 0;

  /** Use {@linkcode openReplay}. */
  constructor(options: ReplayOptions, scan: Scan) {
    this.#options = options;
    this.#scan = scan;
  }

  /** What the file holds: its hosts, as found. */
  get hosts(): HostTable {
    return this.#scan.hosts;
  }

  /** Why the file ends early, if it does. */
  get problem(): Text | undefined {
    return this.#scan.problem;
  }

  /** Serves a page its own replay. */
  attach(socket: WebSocket): void {
    const session = new Session(socket, this.#options, this.#scan);
    socket.onopen = () => {
      this.#sessions.add(session);
      this.#served++;
      session.start();
    };
    const gone = () => {
      this.#sessions.delete(session);
      session.stop();
    };
    socket.onclose = gone;
    socket.onerror = gone;
  }

  /** The file's counts, and the pages served. */
  summary(): ViewSummary {
    const sessions = [...this.#sessions];
    return {
      totals: this.#scan.totals,
      browsers: this.#served,
      open: sessions.length,
      dropped: 0,
      slowBrowsers: 0,
      sampled: 0,
      clients: sessions.map((s) => ({ id: s.client.id, ...s.client.counts })),
    };
  }

  /** Stops every replay. */
  close(): void {
    for (const session of this.#sessions) {
      session.stop();
      try {
        session.client.socket.close(1001, "the view stopped");
      } catch {
        // already closing
      }
    }
  }
}

/** One page's replay. */
class Session {
  readonly client: Client;
  #options: ReplayOptions;
  #scan: Scan;
  #store = new FrameStore({ recent: BATCH * 4 });
  /** Events the page has room for, counted from the first (its credit). */
  #limit = 0;
  #sent = 0;
  #wake?: () => void;
  #stopped = false;

  constructor(socket: WebSocket, options: ReplayOptions, scan: Scan) {
    this.client = new Client(socket, options.limits ?? DEFAULT_LIMITS);
    this.#options = options;
    this.#scan = scan;
    socket.onmessage = (message) => {
      const request = parseRequest(message.data);
      if (request?.type === "credit") {
        this.#limit = Math.max(this.#limit, request.n);
        this.#wake?.();
      } else if (request?.type === "detail") {
        this.client.send(detailReply(request.n, this.#store.get(request.n)));
      }
    };
  }

  start(): void {
    const { hosts, totals, problem } = this.#scan;
    this.client.send(helloOf(hosts.hosts, {
      mode: "replay",
      lab: this.#options.lab,
      lang: this.#options.lang,
      note: this.#options.note,
      limits: this.#options.limits ?? DEFAULT_LIMITS,
      state: "watching",
      file: this.#options.file,
      frames: totals.frames,
      ...(problem ? { problem } : {}),
    }));
    this.client.send({
      type: "stats",
      totals,
      rate: 0,
      counts: this.client.counts,
    });
    this.#run().catch(() => this.stop());
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const sockets = new SocketBook();
    const model = new EventModel(this.#scan.hosts, { sockets });
    const { firstMs, lastMs } = this.#scan.totals;
    for (const [name, recorded] of this.#options.recorded ?? []) {
      const host = this.#scan.hosts.hosts.find((h) => h.name === name);
      // Only what ran while the capture did says anything about it.
      const during = recorded.filter((s) =>
        s.from <= lastMs && s.to >= firstMs
      );
      if (host && during.length > 0) sockets.setRecorded(host.index, during);
    }
    let batch: ViewEvent[] = [];
    const send = () => {
      this.client.sendAll(batch);
      batch = [];
    };
    try {
      for await (const frame of readCapture(this.#options.file)) {
        await this.#room(send);
        if (this.#stopped) return;
        this.#add(model, frame, batch);
        this.#sent++;
        if (batch.length >= BATCH) send();
      }
    } catch (err) {
      // Read up to the problem the first reading found, and told the page.
      if (!(err instanceof CaptureError)) throw err;
    }
    send();
    this.client.send({ type: "state", state: "ended" });
  }

  #add(model: EventModel, frame: Frame, batch: ViewEvent[]): void {
    const event = model.add(frame);
    this.#store.put(frame, event.n);
    this.#store.keep(event);
    batch.push(event);
  }

  /** Waits until the page has room for an event and its socket keeps up. */
  async #room(send: () => void): Promise<void> {
    while (
      !this.#stopped && (this.#sent >= this.#limit || this.client.behind())
    ) {
      send();
      const waitCredit = this.#sent >= this.#limit;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        // The backlog drains without a message: look again soon.
        setTimeout(resolve, waitCredit ? 1000 : 20);
      });
      this.#wake = undefined;
    }
  }
}

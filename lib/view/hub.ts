/**
 * The live view's hub: every frame of the lab becomes one event, counted
 * exactly, and goes to every browser watching, each at the rate it can
 * take (see `_client.ts`): several browsers see the same events, with the
 * same numbers; a slow one gets fewer, never holds up the others, and
 * never makes the server keep more than a bounded backlog for it.
 *
 * A replay ({@linkcode "./replay.ts"}) serves pages the same messages from
 * a capture file; both are a {@linkcode ViewSource} to the server.
 *
 * @example A hub fed frames by hand
 * ```ts
 * import { LiveHub } from "./hub.ts";
 *
 * const hub = new LiveHub({ lab: "progjar", lang: "en", note: "192.168.122.0/24" });
 * hub.setHosts([{ name: "alpine-1", address: "192.168.122.207" }]);
 * // hub.publish(frame, 0) for each frame alpine-1 sent; hub.attach(socket) for each page
 * hub.close();
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import type { Frame } from "../wire/frame.ts";
import {
  Client,
  type ClientCounts,
  type ClientLimits,
  DEFAULT_LIMITS,
  TICK_MS,
} from "./_client.ts";
import {
  detailReply,
  type Hello,
  helloOf,
  parseRequest,
  type ViewState,
} from "./_protocol.ts";
import { FrameStore } from "./_store.ts";
import { VerdictQueue } from "./_verdicts.ts";
import { BLOCK_MS } from "../wire/capture.ts";
import { EventModel, type Totals } from "./events.ts";
import { type HostSeed, HostTable } from "./hosts.ts";
import { factsOf, SocketBook } from "./sockets.ts";

/** What the server serves pages from. */
export interface ViewSource {
  /** Serves one page on its socket. */
  attach(socket: WebSocket): void;
  /** What was seen and served so far. */
  summary(): ViewSummary;
  /** Stops serving. */
  close(): void;
}

/** What a view saw and served. */
export interface ViewSummary {
  /** Every frame, counted exactly. */
  totals: Totals;
  /** Browsers (WebSockets) served. */
  browsers: number;
  /** Browsers open now. */
  open: number;
  /** Events not sent to a slow browser, over all browsers. */
  dropped: number;
  /** Browsers that fell behind at least once. */
  slowBrowsers: number;
  /** Events sampled out (over the budget), over all browsers. */
  sampled: number;
  /** Each open browser's counts. */
  clients: (ClientCounts & { id: number; buffered?: number })[];
}

/** Options for {@linkcode LiveHub}. */
export interface LiveHubOptions {
  /** The lab's name. */
  lab: string;
  /** The language the view was started in. */
  lang: Lang;
  /** The picture's note under the switch (subnet, broadcast). */
  note: string;
  /** Each browser's limits. */
  limits?: ClientLimits;
}

/** Ticks between two stats messages. */
const STATS_EVERY = 5;
/** Ticks the rate is measured over (one second). */
const RATE_TICKS = 1000 / TICK_MS;

/** The live view's hub. */
export class LiveHub implements ViewSource {
  #options: LiveHubOptions;
  #limits: ClientLimits;
  #model: EventModel;
  #store = new FrameStore();
  #clients = new Set<Client>();
  #state: ViewState = "waiting";
  #timer: ReturnType<typeof setInterval>;
  #tick = 0;
  #perTick: number[] = new Array(RATE_TICKS).fill(0);
  #frameAtTick = 0;
  #served = 0;
  #past = { dropped: 0, sampled: 0, slow: 0 };
  #verdicts: VerdictQueue;
  /** The capture time of the latest frame. */
  #latestMs = 0;
  /** A lab of several segments: theirs. */
  #segments?: { name: string; subnet: string }[];

  /** A hub with no hosts yet (waiting for the lab). */
  constructor(options: LiveHubOptions) {
    this.#options = options;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.#model = new EventModel(new HostTable([]));
    this.#verdicts = new VerdictQueue(
      new SocketBook(),
      this.#model.hosts,
      BLOCK_MS,
    );
    this.#timer = setInterval(() => this.#flush(), TICK_MS);
  }

  /** The model: its hosts, sockets and totals. */
  get model(): EventModel {
    return this.#model;
  }

  /**
   * The lab's hosts (the lab is up): when they differ from the hosts so
   * far, the counts start again and every page is told.
   */
  setHosts(
    seeds: HostSeed[],
    sockets: SocketBook = new SocketBook(),
    options: {
      /** The switch's own MACs (a frame to one ends there). */
      switchMacs?: string[];
      /** A lab of several segments: each one's name and subnet. */
      segments?: { name: string; subnet: string }[];
    } = {},
  ): void {
    const switchMacs = options.switchMacs ?? [];
    const same = seeds.length === this.#model.hosts.hosts.length &&
      JSON.stringify(options.segments) === JSON.stringify(this.#segments) &&
      seeds.every((s, i) => {
        const h = this.#model.hosts.hosts[i];
        return h.name === s.name && h.address === s.address;
      });
    this.#segments = options.segments;
    this.settle();
    const totals = this.#model.totals;
    // A lab built again has new interfaces (new MACs): a new table.
    this.#model = new EventModel(new HostTable(seeds, { switchMacs }), {
      sockets,
    });
    this.#verdicts = new VerdictQueue(sockets, this.#model.hosts, BLOCK_MS);
    if (same) {
      // The same hosts: the counts and the event numbers go on.
      Object.assign(this.#model.totals, totals);
    } else this.#store = new FrameStore();
    this.#broadcast(this.#hello());
  }

  /** Says what the view watches now. */
  setState(state: ViewState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#broadcast({ type: "state", state });
  }

  /**
   * One frame that came in by host `sender`'s port (-1: the switch's
   * own); on a lab of several segments, on the switch of `segment`. Its
   * event goes to the pages once its verdicts are settled.
   */
  publish(
    frame: Frame,
    sender: number,
    options: { segment?: number } = {},
  ): void {
    const sockets = this.#model.sockets;
    const event = this.#model.add(frame, sender, {
      later: (host) => sockets.watched(host),
      ...(options.segment === undefined ? {} : { segment: options.segment }),
    });
    this.#latestMs = Math.max(this.#latestMs, event.t);
    // Kept for its details now (its verdicts fill in later); only its facts
    // wait, released on the next tick with the frames that came meanwhile.
    this.#store.put(frame, event.n);
    this.#verdicts.push(event, factsOf(frame));
    this.#release(this.#verdicts.release(Date.now(), this.#latestMs));
  }

  /** Settles every waiting event now (the lab went down, the view stops). */
  settle(): void {
    this.#release(this.#verdicts.drain());
  }

  #release(items: ReturnType<VerdictQueue["drain"]>): void {
    for (const { event, later } of items) {
      this.#model.settled(event, later);
      for (const client of this.#clients) client.offer(event);
    }
  }

  /** Serves a page on `socket`. */
  attach(socket: WebSocket): void {
    const client = new Client(socket, this.#limits);
    socket.onopen = () => {
      this.#clients.add(client);
      this.#served++;
      client.send(this.#hello());
      client.send(this.#stats(client));
    };
    socket.onmessage = (message) => {
      const request = parseRequest(message.data);
      if (request?.type === "detail") {
        client.send(detailReply(request.n, this.#store.get(request.n)));
      }
    };
    const gone = () => {
      if (!this.#clients.delete(client)) return;
      this.#past.dropped += client.counts.dropped;
      this.#past.sampled += client.counts.sampled;
      if (client.counts.stalls > 0) this.#past.slow++;
    };
    socket.onclose = gone;
    socket.onerror = gone;
  }

  /** What was seen and served so far. */
  summary(): ViewSummary {
    const clients = [...this.#clients];
    return {
      totals: this.#model.totals,
      browsers: this.#served,
      open: clients.length,
      dropped: this.#past.dropped +
        clients.reduce((sum, c) => sum + c.counts.dropped, 0),
      slowBrowsers: this.#past.slow +
        clients.filter((c) => c.counts.stalls > 0).length,
      sampled: this.#past.sampled +
        clients.reduce((sum, c) => sum + c.counts.sampled, 0),
      clients: clients.map((c) => ({
        id: c.id,
        ...c.counts,
        buffered: c.socket.bufferedAmount,
      })),
    };
  }

  /** Stops the ticks and closes every page's socket. */
  close(): void {
    clearInterval(this.#timer);
    this.settle();
    this.#flush();
    for (const client of this.#clients) {
      try {
        client.socket.close(1001, "the view stopped");
      } catch {
        // already closing
      }
    }
  }

  #hello(): Hello {
    return helloOf(this.#model.hosts.hosts, {
      mode: "live",
      lab: this.#options.lab,
      lang: this.#options.lang,
      note: this.#options.note,
      limits: this.#limits,
      state: this.#state,
      ...(this.#segments ? { segments: this.#segments } : {}),
    });
  }

  #rate(): number {
    return this.#perTick.reduce((a, b) => a + b, 0);
  }

  #stats(client: Client): unknown {
    return {
      type: "stats",
      totals: this.#model.totals,
      rate: this.#rate(),
      counts: client.counts,
      browsers: this.#clients.size,
    };
  }

  #flush(): void {
    this.#release(this.#verdicts.release(Date.now(), this.#latestMs));
    const frames = this.#model.totals.frames;
    this.#perTick[this.#tick % RATE_TICKS] = frames - this.#frameAtTick;
    this.#frameAtTick = frames;
    this.#tick++;
    const withStats = this.#tick % STATS_EVERY === 0;
    for (const client of this.#clients) {
      const sent = client.flush(
        withStats ? () => this.#stats(client) : undefined,
      );
      for (const event of sent) this.#store.keep(event);
    }
  }

  #broadcast(message: unknown): void {
    for (const client of this.#clients) client.send(message);
  }
}

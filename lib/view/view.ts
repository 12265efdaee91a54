/**
 * `lab view`: the lab, live, in a browser; or a capture file replayed
 * there. Serves the page, prints its address, watches the lab (or reads
 * the file) until Ctrl+C, then says what it saw and served.
 *
 * @example Replay a capture on a free port until Ctrl+C
 * ```ts
 * import { Output } from "../cli/output.ts";
 * import { runView } from "./view.ts";
 *
 * async function replay(file: string): Promise<number> {
 *   return await runView({
 *     out: new Output(), lang: "en", lab: "progjar",
 *     bind: "127.0.0.1", port: 0, pcap: file,
 *     hosts: [], note: "",
 *   });
 * }
 * ```
 *
 * @module
 */

import { EXIT_OK, RuntimeError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import { FRAME_KINDS } from "../wire/frame.ts";
import type { ClientLimits } from "./_client.ts";
import { TEXT } from "./_texts.ts";
import type { HostSeed } from "./hosts.ts";
import { LiveHub, type ViewSource, type ViewSummary } from "./hub.ts";
import { type LabChange, watchLab } from "./live.ts";
import { openReplay } from "./replay.ts";
import { startViewServer } from "./server.ts";
import type { RecordedSocket } from "./sockets.ts";

/** What `lab view` was asked for. */
export interface ViewOptions {
  /** Where lines and records go. */
  out: Output;
  /** The language of the lines and of the page (it has a switch). */
  lang: Lang;
  /** The lab watched, or named in a replay. */
  lab: string;
  /** The address to serve on (`--bind`). */
  bind: string;
  /** The TCP port (`--port`; 0: any free one). */
  port: number;
  /** A capture file to replay instead of watching the lab (`--pcap`). */
  pcap?: string;
  /** The topology file's hosts (a replay names addresses by them). */
  hosts: HostSeed[];
  /** The line under the switch in the picture (subnet and broadcast). */
  note: string;
  /** The subnet's broadcast address, if known. */
  broadcast?: string;
  /** The topology file's subnet, if there is one. */
  subnet?: { network: string; broadcast: string };
  /** For a replay: the sockets the lab's recordings say each host had. */
  recorded?: Map<string, RecordedSocket[]>;
  /** How to suggest bringing the lab up (`lab up` with the options in force). */
  upHint?: string;
  /** Each browser's limits (tests and benchmarks lower them). */
  limits?: ClientLimits;
}

/** Runs the view until Ctrl+C (or SIGTERM); resolves to the exit code. */
export async function runView(options: ViewOptions): Promise<number> {
  const { out, lang } = options;
  const text = TEXT[lang];
  let source: ViewSource;
  let hub: LiveHub | undefined;
  if (options.pcap !== undefined) {
    out.line(text.reading(options.pcap));
    out.flush();
    const replay = await openReplay({
      file: options.pcap,
      lab: options.lab,
      lang,
      note: options.note,
      hosts: options.hosts,
      broadcast: options.broadcast,
      subnet: options.subnet,
      recorded: options.recorded,
      limits: options.limits,
    });
    const hosts = replay.hosts.hosts;
    out.line(text.read(
      options.pcap,
      replay.summary().totals.frames,
      hosts.length,
      hosts.filter((h) => !h.known).length,
    ));
    if (replay.problem) out.line(text.endsEarly(replay.problem[lang]));
    source = replay;
  } else {
    hub = new LiveHub({
      lab: options.lab,
      lang,
      note: options.note,
      limits: options.limits,
    });
    source = hub;
  }

  const stop = onStop(() => {});
  const serverStop = new AbortController();
  let server;
  try {
    server = await startViewServer({
      hostname: options.bind,
      port: options.port,
      source,
      signal: serverStop.signal,
    });
  } catch (err) {
    stop.dispose();
    source.close();
    if (err instanceof Deno.errors.AddrInUse) {
      throw new RuntimeError({
        en: TEXT.en.inUse(`${options.bind}:${options.port}`),
        id: TEXT.id.inUse(`${options.bind}:${options.port}`),
      });
    }
    throw err;
  }
  const shown = options.bind === "0.0.0.0" ? "127.0.0.1" : options.bind;
  const url = `http://${shown}:${server.port}/`;
  if (!options.bind.startsWith("127.")) {
    out.line(out.style("yellow", text.exposed(options.bind, server.port)));
  }
  out.line(url);
  out.line(out.style("dim", text.stop));
  out.record({
    type: "listening",
    url,
    address: options.bind,
    port: server.port,
    mode: options.pcap === undefined ? "live" : "replay",
  });
  out.flush();

  let kernelDropped = 0;
  try {
    if (hub) {
      const result = await watchLab({
        lab: options.lab,
        hub,
        signal: stop.signal,
        onChange: (change) => tell(out, options, change),
      });
      kernelDropped = result.kernelDropped;
    } else {
      await new Promise((resolve) =>
        stop.signal.addEventListener("abort", resolve, { once: true })
      );
    }
  } finally {
    source.close();
    serverStop.abort();
    await Promise.race([
      server.finished,
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]);
    stop.dispose();
  }
  summarise(out, lang, source.summary(), kernelDropped);
  return EXIT_OK;
}

function tell(out: Output, options: ViewOptions, change: LabChange): void {
  const text = TEXT[options.lang];
  if (change.type === "waiting") {
    out.line(text.waiting(options.lab, options.upHint ?? "lab up"));
  } else if (change.type === "watching") {
    out.line(
      change.segments
        ? text.watchingSegments(options.lab, change.hosts, {
          segments: change.segments,
          routers: change.routers ?? 0,
        })
        : text.watching(options.lab, change.hosts, change.subnet),
    );
  } else {
    out.line(text.down(options.lab, change.frames, change.kernelDropped));
  }
  out.record({ lab: options.lab, ...change });
  out.flush();
}

function summarise(
  out: Output,
  lang: Lang,
  summary: ViewSummary,
  kernelDropped: number,
): void {
  const text = TEXT[lang];
  const { totals } = summary;
  const kinds = FRAME_KINDS.filter((k) => totals.kinds[k] > 0)
    .map((k) => `${text.kinds[k]} ${text.number(totals.kinds[k])}`).join(", ");
  out.line(text.summary(totals.frames, kinds));
  out.line(
    text.served(summary.browsers, summary.dropped, summary.slowBrowsers),
  );
  if (kernelDropped > 0) {
    out.line(out.style("yellow", text.kernel(kernelDropped)));
  }
  out.record({
    type: "summary",
    frames: totals.frames,
    kinds: totals.kinds,
    browsers: summary.browsers,
    dropped: summary.dropped,
    slowBrowsers: summary.slowBrowsers,
    sampled: summary.sampled,
    kernelDropped,
  });
}

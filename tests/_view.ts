/**
 * Test helpers for the lab view: `lab view` as its own process, the
 * command line a user types (`deno task lab view …`), and a real browser
 * on its page: headless Chromium driven by puppeteer-core, with the
 * report's Chromium flags (no network of its own, a throw-away profile),
 * every request the page makes noted.
 *
 * @module
 */

import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { chromiumFlags, findChromium } from "../lib/report/pdf.ts";
import { ROOT, taskCommand } from "./_dist.ts";

/** Chromium, if installed (CI installs the `chromium` package). */
export const CHROMIUM: string | undefined = findChromium();

const LAB_COMMAND = await taskCommand("lab");

/** A `lab view` running. */
export class ViewProcess {
  /** Its address, from its first line. */
  url = "";
  /** What it printed so far. */
  stdout = "";
  stderr = "";
  readonly child: Deno.ChildProcess;
  #out: Promise<void>;
  #err: Promise<void>;

  private constructor(child: Deno.ChildProcess) {
    this.child = child;
    const read = async (
      stream: ReadableStream<Uint8Array>,
      add: (t: string) => void,
    ) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        add(text);
      }
    };
    this.#out = read(child.stdout, (t) => this.stdout += t);
    this.#err = read(child.stderr, (t) => this.stderr += t);
  }

  /** The process id of the view (the `deno` running cmd/lab.ts). */
  get pid(): number {
    return this.child.pid;
  }

  /**
   * Starts `deno task lab view args…` and waits until it prints its
   * address; throws with what it printed if it ends first.
   */
  static async start(args: string[], env: Record<string, string> = {}) {
    const [program, ...rest] = [...LAB_COMMAND, "view", ...args];
    const child = new Deno.Command(program, {
      args: rest,
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", LANG: "C.UTF-8", ...env },
    }).spawn();
    const view = new ViewProcess(child);
    let ended = false;
    child.status.then(() => ended = true);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const match = /^(http:\/\/[\d.]+:\d+\/)$/m.exec(view.stdout);
      if (match) {
        view.url = match[1];
        return view;
      }
      if (ended || Date.now() > deadline) {
        await view.#out;
        await view.#err;
        throw new Error(
          `lab view did not start:\n${view.stdout}\n${view.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits until its output matches `pattern` (or throws after `ms`). */
  async waitFor(pattern: RegExp, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.stdout)) {
      if (Date.now() > deadline) {
        throw new Error(`no ${pattern} in:\n${this.stdout}\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** What `/api/summary` says now. */
  async summary(): Promise<Summary> {
    const response = await fetch(`${this.url}api/summary`);
    return await response.json();
  }

  /** The view's resident memory now, in bytes (from /proc). */
  async rss(): Promise<number> {
    const status = await Deno.readTextFile(`/proc/${this.pid}/status`);
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  }

  /** Ctrl+C: SIGINT, then its exit code and everything it printed. */
  async stop(): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      this.child.kill("SIGINT");
    } catch {
      // already ended
    }
    const { code } = await this.child.status;
    await this.#out;
    await this.#err;
    return { code, stdout: this.stdout, stderr: this.stderr };
  }
}

/** What `/api/summary` answers. */
export interface Summary {
  totals: {
    frames: number;
    kinds: Record<string, number>;
    hosts: {
      sent: number;
      arrived: number;
      received: number;
      dropped: number;
    }[];
  };
  browsers: number;
  open: number;
  dropped: number;
  slowBrowsers: number;
  sampled: number;
  clients: {
    id: number;
    sent: number;
    dropped: number;
    slow: boolean;
    stalls: number;
  }[];
}

/** A headless Chromium with a new, empty profile. */
export async function launchBrowser(): Promise<{
  browser: Browser;
  close: () => Promise<void>;
}> {
  const profile = await Deno.makeTempDir({ prefix: "test-view-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: [
      ...chromiumFlags(profile).filter((f) =>
        !f.startsWith("--user-data-dir") && f !== "--headless"
      ),
      "--disable-quic",
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** A page on `url`, with every URL it asked for (WebSockets too). */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1400, height: 900 },
): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  const cdp = await page.createCDPSession();
  await cdp.send("Network.enable");
  cdp.on("Network.webSocketCreated", (e) => requests.push(e.url));
  await page.goto(url, { waitUntil: "load" });
  return { page, requests, errors };
}

/** Waits until `test` (run in the page) is true, or throws after `ms`. */
export async function until(
  page: Page,
  test: string,
  ms = 30_000,
): Promise<void> {
  await page.waitForFunction(test, { timeout: ms, polling: 100 });
}

/** The value of `expression`, evaluated in the page. */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/** The number a counter of the page shows (`data-value`), by kind. */
export function counter(page: Page, kind: string): Promise<number> {
  return inPage(
    page,
    `Number(document.querySelector('#counters [data-kind="${kind}"] b')?.dataset.value ?? NaN)`,
  );
}

/** The number of listed events of a filter group (`udp`, `arp`, …). */
export function listed(page: Page, group: string): Promise<number> {
  return inPage(
    page,
    `Number(document.querySelector('#filters label[data-group="${group}"]')?.dataset.count ?? NaN)`,
  );
}

/** The event number the page has selected (its details), if any. */
export function selected(page: Page): Promise<number | null> {
  return inPage(
    page,
    `document.querySelector("#details").dataset.n === undefined ? null : Number(document.querySelector("#details").dataset.n)`,
  );
}

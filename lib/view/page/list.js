// The event list: one row per event shown (time, from, to, kind, info,
// what the sockets did), filtered by kind and host; only the rows in view
// are in the DOM, so a long list costs nothing to keep.

import { count, infoText, TEXTS } from "./i18n.js";
import { COLOURS } from "./stage.js";

const ROW_HEIGHT = 22;

/** The filter group of a kind: the three UDP kinds are one. */
export function groupOf(kind) {
  return kind.startsWith("udp") ? "udp" : kind;
}

export const GROUPS = ["arp", "igmp", "udp", "tcp", "other"];

export class EventList {
  /**
   * @param {HTMLElement} scroller the scrolling box
   * @param {{ onSelect: (index: number) => void }} options
   */
  constructor(scroller, options) {
    this.scroller = scroller;
    this.onSelect = options.onSelect;
    this.spacer = document.createElement("div");
    this.spacer.className = "spacer";
    this.body = document.createElement("div");
    this.body.className = "rows";
    this.spacer.append(this.body);
    scroller.append(this.spacer);
    /** @type {number[]} history indices the filter shows */
    this.shown = [];
    /** Events per filter group in the whole history. */
    this.groups = Object.fromEntries(GROUPS.map((g) => [g, 0]));
    this.seen = 0;
    this.trimmed = 0;
    this.kinds = new Set(GROUPS);
    this.host = -1;
    this.hosts = [];
    /** A lab with routers: its segments (each event crossed one). */
    this.segments = undefined;
    this.lang = "en";
    this.t0 = 0;
    this.follow = true;
    scroller.addEventListener("scroll", () => {
      const bottom = scroller.scrollTop + scroller.clientHeight >=
        scroller.scrollHeight - ROW_HEIGHT;
      this.follow = bottom;
      this.dirty = true;
    });
    this.body.addEventListener("click", (e) => {
      const row = /** @type {HTMLElement} */ (e.target).closest(".row");
      if (row) this.onSelect(Number(row.dataset.index));
    });
  }

  /** Whether the filter shows `event`. */
  matches(event) {
    if (!this.kinds.has(groupOf(event.kind))) return false;
    return this.host < 0 || event.from === this.host ||
      event.to.includes(this.host);
  }

  /** Sets the filter and lists again. */
  setFilter(kinds, host, player) {
    this.kinds = kinds;
    this.host = host;
    this.rebuild(player);
  }

  /** Lists the whole history again (a filter, a trim). */
  rebuild(player) {
    this.shown = [];
    this.groups = Object.fromEntries(GROUPS.map((g) => [g, 0]));
    this.seen = 0;
    this.trimmed = player.trimmed;
    this.catchUp(player);
  }

  /** Takes in the events shown since the last call. */
  catchUp(player) {
    if (player.trimmed !== this.trimmed) return this.rebuild(player);
    const history = player.history;
    for (let i = this.seen; i < history.length; i++) {
      const event = history[i];
      this.groups[groupOf(event.kind)]++;
      if (this.matches(event)) this.shown.push(i);
    }
    this.seen = history.length;
    this.dirty = true;
  }

  /** Draws the rows in view. */
  render(player) {
    const total = this.shown.length;
    this.spacer.style.height = `${total * ROW_HEIGHT}px`;
    const current = player.current();
    if (player.cursor >= 0) {
      const at = this.#position(current);
      const top = at * ROW_HEIGHT;
      if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
      else if (
        top + ROW_HEIGHT > this.scroller.scrollTop + this.scroller.clientHeight
      ) {
        this.scroller.scrollTop = top + ROW_HEIGHT - this.scroller.clientHeight;
      }
    } else if (this.follow) {
      this.scroller.scrollTop = this.scroller.scrollHeight;
    }
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT));
    const last = Math.min(
      total,
      first + Math.ceil(this.scroller.clientHeight / ROW_HEIGHT) + 1,
    );
    const rows = [];
    for (let k = first; k < last; k++) {
      const index = this.shown[k];
      rows.push(this.#row(player.history[index], index, k, index === current));
    }
    this.body.replaceChildren(...rows);
    this.dirty = false;
  }

  /** Where history index `index` is among the rows shown. */
  #position(index) {
    let lo = 0, hi = this.shown.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.shown[mid] < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return lo;
  }

  #row(event, index, k, current) {
    const text = TEXTS[this.lang];
    const row = document.createElement("div");
    row.className = current ? "row cursor" : "row";
    row.style.top = `${k * ROW_HEIGHT}px`;
    row.dataset.index = String(index);
    row.dataset.n = String(event.n);
    row.dataset.kind = event.kind;
    const name = (i) => i < 0 ? text.theSwitch : this.hosts[i]?.name ?? `#${i}`;
    // The ports it could leave by: those of its segment but its sender's.
    const here = event.seg === undefined
      ? this.hosts.length
      : this.hosts.filter((h) => h.segment === event.seg).length;
    const others = here - (event.from >= 0 ? 1 : 0);
    const info = infoText(event.info, this.lang);
    const to = event.to.length === 0
      ? text.none
      : event.to.length > 1 && event.to.length === others
      ? text.all(event.to.length)
      : event.to.map(name).join(", ");
    const cells = [
      String(event.n),
      ((event.t - this.t0) / 1000).toFixed(6),
      name(event.from),
      to,
      text.kinds[event.kind] ?? event.kind,
      this.segments && event.seg !== undefined
        ? `${
          text.onSegment(this.segments[event.seg]?.name ?? "?", event.ttl)
        } · ${info}`
        : info,
      this.#sockets(event),
    ];
    for (const [i, value] of cells.entries()) {
      const cell = document.createElement("span");
      cell.textContent = value;
      if (i === 4) {
        cell.className = "kind";
        cell.style.borderLeftColor = COLOURS[event.kind] ?? COLOURS.other;
      }
      if (i === 6) cell.title = this.#socketsTitle(event);
      row.append(cell);
    }
    return row;
  }

  #sockets(event) {
    let took = 0, dropped = 0;
    for (const v of event.v) {
      if (v === "r") took++;
      else if (v === "m" || v === "p") dropped++;
    }
    return [took ? `✓${took}` : "", dropped ? `✗${dropped}` : ""].filter(
      Boolean,
    )
      .join(" ");
  }

  #socketsTitle(event) {
    const text = TEXTS[this.lang];
    return event.to.map((to, k) => {
      const v = event.v[k] === "-" ? "" : event.v[k];
      return `${this.hosts[to]?.name}: ${verdictText(v, event, text)}`;
    }).join("\n");
  }

  /** Counts of the whole history by filter group, for the filter's labels. */
  groupCounts() {
    return this.groups;
  }

  /** The number of rows the filter shows. */
  size() {
    return this.shown.length;
  }
}

/** What a host's socket did with an event, in words. */
export function verdictText(v, event, text) {
  const group = event.dst ?? "";
  if (v === "m") return text.verdict.m(group);
  if (v === "p") return text.verdict.p(event.info[1]);
  return (text.verdict[v] ?? text.verdict[""])();
}

export { count };

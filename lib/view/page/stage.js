// The picture: the report's topology drawing (switch above, hosts below),
// with each frame moving from its sender's port up to the switch and down
// the lines of the ports it leaves by, coloured by kind; where it arrives,
// a mark says what the host's socket did with it. A lab with routers has a
// switch per segment (routers' interfaces are ports of them): a frame
// moves through the switch of the segment it crossed, carrying its TTL.

const SVG = "http://www.w3.org/2000/svg";

/** Each kind's colour (the legend on the page uses the same). */
export const COLOURS = {
  arp: "#d97706",
  igmp: "#7c3aed",
  "udp-broadcast": "#2563eb",
  "udp-multicast": "#16a34a",
  "udp-unicast": "#0891b2",
  tcp: "#db2777",
  other: "#6b7280",
};

const MARKS = { r: "✓", m: "✗", p: "✗", "": "•" };
const MARK_CLASS = { r: "took", m: "dropped", p: "dropped", "": "arrived" };

/** How long a frame takes from port to port at speed 1 (ms). */
const TRAVEL_MS = 900;
/** Frames moving at once at most. */
export const MAX_MOVING = 40;
/** Room under the host boxes for the marks and counts. */
const EXTRA_HEIGHT = 58;

export class Stage {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    /** @type {{ start: number, duration: number, dot: SVGCircleElement[], labels: SVGTextElement[], event: any, done: boolean[] }[]} */
    this.moving = [];
    this.picture = undefined;
    /** @type {SVGTextElement[]} */
    this.marks = [];
    /** @type {SVGTextElement[][]} */
    this.counts = [];
    this.frameRequested = false;
  }

  /** Draws the hosts' picture (from the server's hello). */
  draw(picture) {
    this.picture = picture;
    this.root.innerHTML = picture.svg;
    const svg = this.root.querySelector("svg");
    const height = picture.height + EXTRA_HEIGHT;
    svg.setAttribute("viewBox", `0 0 ${picture.width} ${height}`);
    svg.setAttribute("height", String(height));
    svg.removeAttribute("width");
    svg.id = "topology";
    this.svg = svg;
    this.layer = document.createElementNS(SVG, "g");
    this.layer.setAttribute("id", "moving");
    svg.append(this.layer);
    this.marks = picture.boxes.map((box, i) => {
      const mark = text(
        svg,
        box.x + box.width / 2,
        box.y + box.height + 17,
        "",
      );
      mark.setAttribute("class", "mark");
      mark.dataset.host = String(i);
      return mark;
    });
    this.counts = picture.boxes.map((box, i) =>
      [32, 45].map((dy) => {
        const line = text(
          svg,
          box.x + box.width / 2,
          box.y + box.height + dy,
          "",
        );
        line.setAttribute("class", "host-counts");
        line.dataset.host = String(i);
        return line;
      })
    );
    this.moving = [];
  }

  /** Writes each host's counts under its box. @param {string[][]} lines */
  setCounts(lines) {
    lines.forEach((pair, i) => {
      pair.forEach((line, k) => {
        const node = this.counts[i]?.[k];
        if (node && node.textContent !== line) node.textContent = line;
      });
    });
  }

  /** Whether another frame may start moving now. */
  hasRoom() {
    return this.moving.length < MAX_MOVING;
  }

  /**
   * Moves `event` across the picture, at `speed`.
   * @param {any} event
   * @param {number} speed
   */
  animate(event, speed) {
    if (!this.picture || !this.layer) return;
    const colour = COLOURS[event.kind] ?? COLOURS.other;
    // On a lab with routers, each frame carries its TTL (watch it go down).
    const ttl = this.picture.switches && event.ttl ? String(event.ttl) : "";
    const dots = event.to.map(() => {
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("r", ttl ? "8" : "6");
      dot.setAttribute("fill", colour);
      dot.setAttribute("stroke", "#ffffff");
      dot.setAttribute("stroke-width", "1.5");
      dot.setAttribute("class", "frame");
      dot.dataset.kind = event.kind;
      this.layer.append(dot);
      return dot;
    });
    if (dots.length === 0) return;
    const labels = ttl
      ? event.to.map(() => {
        const label = text(this.layer, 0, 0, ttl);
        label.setAttribute("class", "frame-ttl");
        label.setAttribute("dominant-baseline", "central");
        return label;
      })
      : [];
    this.moving.push({
      start: performance.now(),
      duration: TRAVEL_MS / Math.max(0.1, speed),
      dot: dots,
      labels,
      event,
      done: dots.map(() => false),
    });
    if (event.from >= 0) this.#flash(event.from);
    this.#request();
  }

  /** Drops every frame on its way (a new picture, a jump). */
  clear() {
    for (const m of this.moving) {
      for (const dot of [...m.dot, ...m.labels]) dot.remove();
    }
    this.moving = [];
  }

  #request() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame((now) => this.#frame(now));
  }

  #frame(now) {
    this.frameRequested = false;
    const picture = this.picture;
    if (!picture) return;
    const up = 0.45;
    const down = 0.55;
    this.moving = this.moving.filter((m) => {
      const p = Math.min(1, (now - m.start) / m.duration);
      // The switch it crossed: its segment's, on a lab with routers.
      const via = picture.switches?.[m.event.seg] ?? picture.switch;
      const from = m.event.from >= 0 ? picture.ports[m.event.from] : via;
      m.event.to.forEach((to, k) => {
        const port = picture.ports[to];
        if (!port) return;
        let x, y;
        if (p < up) [x, y] = lerp(from, via, p / up);
        else if (p < down) [x, y] = [via.x, via.y];
        else [x, y] = lerp(via, port, (p - down) / (1 - down));
        m.dot[k].setAttribute("cx", x.toFixed(1));
        m.dot[k].setAttribute("cy", y.toFixed(1));
        m.labels[k]?.setAttribute("x", x.toFixed(1));
        m.labels[k]?.setAttribute("y", y.toFixed(1));
        if (p >= 1 && !m.done[k]) {
          m.done[k] = true;
          this.#mark(
            to,
            m.event.v[k] === "-" ? "" : m.event.v[k],
            m.labels.length > 0 ? m.event.ttl : undefined,
          );
        }
      });
      if (p >= 1) {
        for (const dot of [...m.dot, ...m.labels]) dot.remove();
        return false;
      }
      return true;
    });
    if (this.moving.length > 0) this.#request();
  }

  #mark(host, verdict, ttl) {
    const mark = this.marks[host];
    if (!mark) return;
    // On a lab with routers: the TTL it arrived with, beside the verdict.
    const sign = MARKS[verdict] ?? "•";
    mark.textContent = ttl ? `${sign} TTL ${ttl}` : sign;
    mark.setAttribute("class", `mark ${MARK_CLASS[verdict] ?? "arrived"}`);
    mark.dataset.verdict = verdict;
    if (ttl) mark.dataset.ttl = String(ttl);
    else delete mark.dataset.ttl;
    clearTimeout(mark.timer);
    mark.timer = setTimeout(() => {
      mark.textContent = "";
      mark.setAttribute("class", "mark");
      delete mark.dataset.ttl;
    }, 1500);
  }

  #flash(host) {
    const box = this.picture.boxes[host];
    if (!box) return;
    const ring = document.createElementNS(SVG, "rect");
    ring.setAttribute("x", String(box.x - 3));
    ring.setAttribute("y", String(box.y - 3));
    ring.setAttribute("width", String(box.width + 6));
    ring.setAttribute("height", String(box.height + 6));
    ring.setAttribute("rx", "8");
    ring.setAttribute("class", "sending");
    this.layer.prepend(ring);
    setTimeout(() => ring.remove(), 400);
  }
}

function lerp(a, b, f) {
  return [a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f];
}

function text(svg, x, y, content) {
  const node = document.createElementNS(SVG, "text");
  node.setAttribute("x", String(x));
  node.setAttribute("y", String(y));
  node.setAttribute("text-anchor", "middle");
  node.textContent = content;
  svg.append(node);
  return node;
}

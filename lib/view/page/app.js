// The lab view's page: one WebSocket to the server that served it (nothing
// else is fetched), the picture, the controls, the counts, the event list
// and the details, in English or Indonesian.

import { count, TEXTS } from "./i18n.js";
import { Player } from "./player.js";
import { COLOURS, Stage } from "./stage.js";
import { EventList, GROUPS } from "./list.js";
import { renderDetail, renderHint } from "./details.js";

/** Frames a second that move on the picture at most, at speed 1. */
const MOVING_PER_SECOND = 12;

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const view = {
  /** @type {"en" | "id"} */
  lang: "en",
  hello: undefined,
  stats: undefined,
  state: "waiting",
  connected: false,
  /** @type {Player} */
  player: new Player(),
  selected: undefined,
  detail: undefined,
  tokens: MOVING_PER_SECOND,
  // Frames shown and moved in the last second, for the sampling notice.
  window: { start: performance.now(), shown: 0, moved: 0 },
  rates: { shown: 0, moved: 0, sampled: 0, sent: 0, frames: 0 },
  lastSampled: { sampled: 0, sent: 0, frames: 0 },
  credit: -1,
  received: 0,
};

const stage = new Stage($("stage"));
const list = new EventList($("rows"), {
  onSelect: (index) => select(view.player.select(index)),
});
let socket;

function text() {
  return TEXTS[view.lang];
}

function connect() {
  socket = new WebSocket(`ws://${location.host}/ws`);
  socket.onopen = () => {
    view.connected = true;
    view.credit = -1;
    renderStatus();
  };
  socket.onmessage = (message) => receive(JSON.parse(message.data));
  socket.onclose = () => {
    view.connected = false;
    renderStatus();
    setTimeout(connect, 1000);
  };
}

function send(message) {
  if (socket?.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(message));
  }
}

function receive(message) {
  switch (message.type) {
    case "hello":
      return hello(message);
    case "events":
      view.received += message.rows.length;
      view.player.arrive(message.rows.map(eventOf));
      if (list.t0 === 0 && message.rows.length > 0) {
        list.t0 = message.rows[0][1];
      }
      return;
    case "stats":
      view.stats = message;
      return;
    case "state":
      view.state = message.state;
      return renderStatus();
    case "detail":
      if (message.n === view.selected?.n) {
        view.detail = message;
        renderDetailPane();
      }
      return;
  }
}

function eventOf(row) {
  const kinds = view.hello?.kinds ?? [];
  return {
    n: row[0],
    t: row[1],
    from: row[2],
    to: row[3],
    kind: kinds[row[4]] ?? "other",
    info: row[5],
    len: row[6],
    v: row[7],
    dst: row[8],
    // A lab with routers: the segment it crossed and its TTL there.
    ...(row.length > 9 ? { seg: row[9], ttl: row[10] || undefined } : {}),
  };
}

function sameHosts(a, b) {
  return a && b && a.length === b.length &&
    a.every((h, i) => h.name === b[i].name && h.address === b[i].address);
}

function hello(message) {
  const before = view.hello;
  view.hello = message;
  view.state = message.state;
  const stored = localStorage.getItem("progjar-view-lang");
  view.lang = stored === "en" || stored === "id" ? stored : message.lang;
  list.hosts = message.hosts;
  list.segments = message.segments;
  stage.draw(message.picture);
  const keep = before && before.mode === message.mode &&
    message.mode === "live" && sameHosts(before.hosts, message.hosts);
  view.lastSampled = {
    sampled: 0,
    sent: 0,
    frames: view.stats?.totals.frames ?? 0,
  };
  if (!keep) {
    view.received = 0;
    view.credit = -1;
    view.player = new Player({ replay: message.mode === "replay", onShow });
    view.player.speed = Number(
      /** @type {HTMLSelectElement} */ ($("speed")).value,
    );
    view.selected = undefined;
    view.detail = undefined;
    list.t0 = 0;
    list.rebuild(view.player);
  }
  view.player.filter = (e) => list.matches(e);
  renderAll();
}

/** A frame shown: it moves on the picture unless too many do. */
function onShow(event, { stepped }) {
  view.window.shown++;
  const rare = !event.kind.startsWith("udp");
  if (
    stepped ||
    (stage.hasRoom() && (rare || view.tokens >= 1))
  ) {
    if (!stepped && !rare) view.tokens--;
    view.window.moved++;
    stage.animate(event, view.player.speed);
  }
}

function select(event) {
  if (!event) return;
  view.selected = event;
  view.detail = undefined;
  send({ type: "detail", n: event.n });
  renderDetailPane();
  list.dirty = true;
}

function renderDetailPane() {
  const pane = $("details");
  if (!view.selected) return renderHint(pane, view.lang);
  renderDetail(pane, {
    message: view.detail ??
      {
        n: view.selected.n,
        detail: { layers: [], payload: { length: 0 }, problems: [] },
      },
    event: view.selected,
    hosts: view.hello?.hosts ?? [],
    lang: view.lang,
  });
}

// ---------------------------------------------------------------- drawing

function renderAll() {
  const t = text();
  document.documentElement.lang = view.lang;
  document.title = t.title;
  $("title").textContent = t.title;
  $("lang").textContent = t.language;
  $("lang").title = t.languageTitle;
  $("back").textContent = t.back;
  $("step").textContent = t.step;
  $("live").textContent = t.goLive;
  $("live").hidden = view.hello?.mode === "replay";
  $("speed-label").textContent = `${t.speed} `;
  const head = $("list-head");
  head.replaceChildren(...t.columns.map((c) => {
    const span = document.createElement("span");
    span.textContent = c;
    return span;
  }));
  list.lang = view.lang;
  renderFilters();
  renderStatus();
  renderControls();
  renderCounters();
  renderDetailPane();
  list.dirty = true;
}

function renderStatus() {
  const t = text();
  const hello = view.hello;
  const status = $("status");
  $("source").textContent = hello
    ? hello.mode === "replay" ? t.replay(hello.file) : t.live(hello.lab)
    : "";
  let line = "";
  if (!view.connected) line = t.disconnected;
  else if (hello) {
    line = view.state === "ended"
      ? t.ended
      : view.state === "down"
      ? t.down(hello.lab)
      : view.state === "waiting"
      ? t.waiting(hello.lab)
      : hello.mode === "live"
      ? hello.segments
        ? t.watchingSegments(hello.lab, hello.segments.length)
        : t.watching(hello.lab)
      : "";
  }
  status.textContent = line;
  status.className = !view.connected || view.state === "down" ? "down" : "";
  status.dataset.state = view.connected ? view.state : "disconnected";
}

function renderControls() {
  const t = text();
  const player = view.player;
  const paused = player.state === "paused";
  const button = $("playpause");
  button.textContent = paused ? t.play : t.pause;
  button.dataset.state = player.state;
  $("live").classList.toggle("on", player.state === "live");
  const queue = [];
  if (player.pending.length > 0 && view.hello?.mode === "live") {
    queue.push(t.queued(count(player.pending.length, view.lang)));
  }
  if (player.notQueued > 0) {
    queue.push(t.notQueued(count(player.notQueued, view.lang)));
  }
  $("queue").textContent = queue.join(" · ");
  $("queue").dataset.queued = String(player.pending.length);
  $("queue").dataset.notQueued = String(player.notQueued);
}

function renderFilters() {
  const t = text();
  const box = $("filters");
  const groups = list.groupCounts();
  const hosts = view.hello?.hosts ?? [];
  if (box.dataset.built !== `${view.lang}:${hosts.length}`) {
    box.dataset.built = `${view.lang}:${hosts.length}`;
    const parts = [document.createTextNode(`${t.show}:`)];
    for (const group of GROUPS) {
      const label = document.createElement("label");
      label.dataset.group = group;
      label.style.borderLeftColor =
        COLOURS[group === "udp" ? "udp-broadcast" : group];
      const input = document.createElement("input");
      input.type = "checkbox";
      input.checked = list.kinds.has(group);
      input.addEventListener("change", applyFilter);
      const name = document.createElement("span");
      name.className = "name";
      label.append(input, name);
      parts.push(label);
    }
    const select = document.createElement("select");
    select.id = "host-filter";
    select.append(new Option(t.allHosts, "-1"));
    const segments = view.hello?.segments;
    for (const host of hosts) {
      // A lab with routers: each router once per segment it is on.
      const name = segments && host.segment !== undefined
        ? t.portOf(host.name, host.device, segments[host.segment]?.name)
        : host.name;
      select.append(new Option(name, String(host.index)));
    }
    select.value = String(list.host);
    select.addEventListener("change", applyFilter);
    const hostLabel = document.createElement("span");
    hostLabel.textContent = `${t.host}: `;
    parts.push(hostLabel, select);
    box.replaceChildren(...parts);
  }
  for (const label of box.querySelectorAll("label")) {
    const group = label.dataset.group;
    label.dataset.count = String(groups[group]);
    label.querySelector(".name").textContent = ` ${t.filterKinds[group]} (${
      count(groups[group], view.lang)
    })`;
  }
}

function applyFilter() {
  const box = $("filters");
  const kinds = new Set();
  for (const label of box.querySelectorAll("label")) {
    if (label.querySelector("input").checked) kinds.add(label.dataset.group);
  }
  const host = Number(
    /** @type {HTMLSelectElement} */ ($("host-filter")).value,
  );
  list.setFilter(kinds, host, view.player);
}

function renderCounters() {
  const t = text();
  const stats = view.stats;
  const hello = view.hello;
  const box = $("counters");
  if (!stats || !hello) return box.replaceChildren();
  const totals = stats.totals;
  const parts = [];
  const item = (label, value, kind) => {
    const span = document.createElement("span");
    if (kind) {
      span.className = "kind";
      span.dataset.kind = kind;
      span.style.borderLeftColor = COLOURS[kind];
    } else span.dataset.kind = "total";
    const b = document.createElement("b");
    b.textContent = count(value, view.lang);
    b.dataset.value = String(value);
    span.append(`${label} `, b);
    parts.push(span);
  };
  item(t.frames, totals.frames);
  for (const kind of hello.kinds) item(t.kinds[kind], totals.kinds[kind], kind);
  if (hello.mode === "live") {
    const rate = document.createElement("span");
    rate.textContent = `${
      count(stats.rate, view.lang)
    } ${t.frames}${t.perSecond}`;
    rate.dataset.kind = "rate";
    parts.push(rate);
  }
  box.replaceChildren(...parts);
  stage.setCounts(
    hello.hosts.map((host, i) => {
      const h = totals.hosts[i];
      if (!h) return ["", ""];
      // A router's interface has no socket of the experiment: what came.
      return [
        t.sent(count(h.sent, view.lang)),
        host.router
          ? t.got(count(h.arrived, view.lang))
          : t.took(count(h.received, view.lang), count(h.dropped, view.lang)),
      ];
    }),
  );
}

function renderNotices() {
  const t = text();
  const notices = [];
  const lang = view.lang;
  if (view.hello?.problem) {
    notices.push(["problem", t.fileProblem(view.hello.problem[lang])]);
  }
  const { shown, moved, sampled } = view.rates;
  if (moved < shown) {
    notices.push([
      "anim",
      t.animSampling(count(moved, lang), count(shown, lang)),
    ]);
  }
  const stats = view.stats;
  if (stats && view.hello?.mode === "live" && sampled > 0) {
    notices.push([
      "sampled",
      t.serverSampling(
        count(view.rates.sent, lang),
        count(view.rates.frames, lang),
      ),
    ]);
  }
  if (stats?.counts?.dropped > 0) {
    notices.push(["slow", t.slow(count(stats.counts.dropped, lang))]);
  }
  const box = $("notices");
  const key = JSON.stringify(notices);
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(...notices.map(([kind, line]) => {
    const p = document.createElement("p");
    p.className = kind;
    p.dataset.notice = kind;
    p.textContent = line;
    return p;
  }));
}

// ---------------------------------------------------------------- controls

$("lang").addEventListener("click", () => {
  view.lang = view.lang === "en" ? "id" : "en";
  localStorage.setItem("progjar-view-lang", view.lang);
  $("filters").dataset.built = "";
  renderAll();
});
$("playpause").addEventListener("click", () => {
  if (view.player.state === "paused") view.player.play();
  else view.player.pause();
  renderControls();
});
$("back").addEventListener("click", () => {
  select(view.player.stepBack());
  renderControls();
});
$("step").addEventListener("click", () => {
  select(view.player.stepForward());
  renderControls();
});
$("live").addEventListener("click", () => {
  view.player.goLive();
  list.follow = true;
  renderControls();
});
$("speed").addEventListener("change", (e) => {
  view.player.speed = Number(/** @type {HTMLSelectElement} */ (e.target).value);
});
document.addEventListener("keydown", (e) => {
  if (
    e.target instanceof HTMLInputElement ||
    e.target instanceof HTMLSelectElement
  ) return;
  if (e.key === " ") $("playpause").click();
  else if (e.key === "ArrowLeft") $("back").click();
  else if (e.key === "ArrowRight") $("step").click();
  else if (e.key === "l" || e.key === "L") $("live").click();
  else return;
  e.preventDefault();
});

// ---------------------------------------------------------------- the loop

let last = performance.now();
let lastSlow = 0;
function frame(now) {
  const elapsed = Math.min(250, now - last);
  last = now;
  const speed = view.player.speed;
  view.tokens = Math.min(
    MOVING_PER_SECOND,
    view.tokens + elapsed / 1000 * MOVING_PER_SECOND * Math.max(1, speed),
  );
  view.player.tick(elapsed);
  if (
    view.player.history.length !== list.seen ||
    view.player.trimmed !== list.trimmed
  ) {
    list.catchUp(view.player);
  }
  if (list.dirty) list.render(view.player);
  if (now - lastSlow >= 250) {
    lastSlow = now;
    renderSlow(now);
  }
  requestAnimationFrame(frame);
}

/** What changes a few times a second: counts, notices, credit. */
function renderSlow(now) {
  const w = view.window;
  if (now - w.start >= 1000) {
    const seconds = (now - w.start) / 1000;
    view.rates.shown = Math.round(w.shown / seconds);
    view.rates.moved = Math.round(w.moved / seconds);
    view.window = { start: now, shown: 0, moved: 0 };
    // What the server sent and sampled out since the last look.
    const counts = view.stats?.counts ?? { sampled: 0, sent: 0 };
    const frames = view.stats?.totals.frames ?? 0;
    const before = view.lastSampled;
    view.rates.sampled = counts.sampled - before.sampled;
    view.rates.sent = counts.sent - before.sent;
    view.rates.frames = frames - before.frames;
    view.lastSampled = { sampled: counts.sampled, sent: counts.sent, frames };
  }
  renderCounters();
  renderControls();
  renderFilters();
  renderNotices();
  if (view.hello?.mode === "replay") {
    // The server may send up to this event number: what came, and room for
    // more; asked again once half the queue is free.
    const limit = view.received + view.player.room();
    if (limit - view.credit >= view.player.queueLimit / 2 || view.credit < 0) {
      view.credit = limit;
      send({ type: "credit", n: limit });
    }
  }
}

renderAll();
connect();
requestAnimationFrame(frame);

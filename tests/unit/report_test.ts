import assert from "node:assert/strict";
import type {
  ProcessResult,
  ScenarioResult,
} from "../../lib/scenario/scenario.ts";
import {
  overallConclusion,
  scenarioConclusion,
} from "../../lib/report/conclusions.ts";
import { formatWhen, zoneName } from "../../lib/report/cover.ts";
import { reportBlocks } from "../../lib/report/document.ts";
import { renderHtml } from "../../lib/report/html.ts";
import { renderMarkdown } from "../../lib/report/markdown.ts";
import {
  chatModel,
  groupChatModel,
  multicastModel,
  scenarioKind,
  udpTimeline,
} from "../../lib/report/model.ts";
import {
  chatSvg,
  groupChatSvg,
  multicastSvg,
  timelineSvg,
} from "../../lib/report/svg.ts";
import { reportFormat } from "../../lib/report/write.ts";
import { CHROMIUM_PATHS } from "../../lib/report/pdf.ts";

function role(
  host: string,
  role: string,
  records: [number, Record<string, unknown>][],
  extra: Partial<ProcessResult> = {},
): ProcessResult {
  return {
    host,
    address: `10.0.0.${host.slice(-1)}`,
    role,
    step: 0,
    args: [],
    command: [],
    typed: ["deno", "task", role],
    input: [],
    startedMs: records[0]?.[0] ?? 0,
    code: 0,
    signal: null,
    stopped: false,
    stdout: records.map(([, r]) => JSON.stringify(r)),
    stdoutMs: records.map(([ms]) => ms),
    dropped: 0,
    transcript: [],
    transcriptOmitted: 0,
    stderr: "",
    summary: records.findLast(([, r]) => r.type === "summary")?.[1],
    checks: [],
    ok: true,
    ...extra,
  };
}

/** A receiver that listened at `at` and got `seqs`, one every 2 ms. */
function receiver(host: string, at: number, seqs: number[]): ProcessResult {
  const first = seqs[0];
  const last = seqs.at(-1)!;
  const missing = last - seqs.length;
  return role(host, "broadcast-receiver", [
    [at - 200, { type: "listening", port: 5005 }],
    ...seqs.map((seq, i): [number, Record<string, unknown>] => [
      at + 10 + i * 2,
      { type: "datagram", seq },
    ]),
    [at + 10 + seqs.length * 2, {
      type: "summary",
      received: seqs.length,
      firstSeq: first,
      lastSeq: last,
      missing,
      missedBeforeFirst: first - 1,
      gaps: missing - (first - 1),
    }],
  ]);
}

const SENDER = role("alpine-1", "broadcast-sender", [
  [1000, { type: "sending" }],
  [3000, { type: "summary", sent: 1000, seconds: 2 }],
]);

const LATE: ScenarioResult = {
  scenario: "broadcast-sender-first",
  description: "",
  lab: "t",
  ok: true,
  durationMs: 3000,
  processes: [
    SENDER,
    receiver("alpine-2", 1500, [251, 252, 253, 257, 258]),
    receiver("alpine-3", 2000, [501, 502, 503]),
  ],
};

Deno.test("report model: the timeline starts at the sender's first datagram; gaps where numbers jump", () => {
  const timeline = udpTimeline(LATE);
  assert.equal(timeline.originMs, 1000);
  const [sender, a, b] = timeline.lanes;
  assert.equal(sender.sender, true);
  assert.equal(sender.last, 1000);
  assert.equal(sender.lastMs, 2000);
  assert.equal(a.first, 251);
  assert.equal(a.readyMs, 300);
  assert.equal(a.missedBefore, 250);
  assert.deepEqual(a.gaps.map((g) => [g.from, g.to]), [[254, 256]]);
  assert.equal(b.first, 501);
  assert.deepEqual(b.gaps, []);
});

Deno.test("report pictures: a lane per host with its numbers; peer text escaped as XML", () => {
  const svg = timelineSvg(udpTimeline(LATE));
  for (const host of ["alpine-1", "alpine-2", "alpine-3"]) {
    assert.match(svg, new RegExp(`data-host="${host}"`));
  }
  assert.match(svg, /data-host="alpine-2" data-first="251" data-last="258"/);
  assert.match(svg, />lost 3</);
  assert.match(svg, />missed before start: #1–#250 \(250\)</);

  const server = role("alpine-1", "chat-server", [
    [0, { type: "join", name: "Client_1", address: "10.0.0.2:4000" }],
    [1, { type: "join", name: "Client_2", address: "10.0.0.3:4000" }],
    [2, { type: "join", name: "Client_3", address: "10.0.0.4:4000" }],
    [5, { type: "message", from: "Client_1", text: "<b>&\x1b[2J" }],
    [9, { type: "leave", name: "Client_1" }],
  ]);
  const c2 = role("alpine-3", "chat-client", [
    [6, { type: "message", from: "Client_1", text: "<b>&\x1b[2J" }],
  ]);
  const chat = chatModel({
    ...LATE,
    processes: [
      server,
      role("alpine-2", "chat-client", []),
      c2,
      role("alpine-4", "chat-client", []),
    ],
  })!;
  const message = chat.events.find((e) => e.kind === "message")!;
  assert.equal(message.kind, "message");
  if (message.kind === "message") {
    assert.equal(message.host, "alpine-2");
    assert.deepEqual(message.delivered.map((d) => d.host), ["alpine-3"]);
    assert.deepEqual(message.missing, ["alpine-4"]);
  }
  const drawn = chatSvg(chat);
  assert.match(drawn, /&lt;b&gt;&amp;\\x1b\[2J/);
  assert.ok(!drawn.includes("\x1b"), "an escape byte in the picture");
});

Deno.test("report conclusions: each late receiver's first number, from the numbers, in both languages", () => {
  const en = scenarioConclusion(LATE, [], "en").join(" ");
  assert.match(en, /alpine-2 listened at 0\.30 s → first #251 \(250 missed\)/);
  assert.match(en, /about 500 numbers per second/);
  assert.match(en, /3 datagrams were lost while listening/);
  const id = scenarioConclusion(LATE, [], "id").join(" ");
  assert.match(
    id,
    /alpine-3 mendengarkan pada 0\.80 s → pertama #501 \(500 terlewat\)/,
  );
  const early: ScenarioResult = {
    ...LATE,
    scenario: "broadcast-receivers-first",
    processes: [SENDER, receiver("alpine-2", 900, [1, 2, 3])],
  };
  const overall = overallConclusion([early, LATE], "id").join(" ");
  assert.match(
    overall,
    /^Apa bedanya\? Penerima dulu \(broadcast-receivers-first\)/,
  );
  assert.match(overall, /angka pertama #251 dan #501/);
});

Deno.test("report cover: WIB, WITA, WIT by their Indonesian names; the date in the zone", () => {
  const date = new Date("2026-01-02T03:04:05Z");
  assert.equal(zoneName("Asia/Jakarta", date), "WIB");
  assert.equal(zoneName("Asia/Makassar", date), "WITA");
  assert.equal(zoneName("Asia/Jayapura", date), "WIT");
  assert.equal(zoneName("UTC", date), "UTC");
  assert.equal(
    formatWhen(date, "id", "Asia/Jakarta"),
    "2 Januari 2026, 10.04 WIB",
  );
  assert.equal(
    formatWhen(date, "en", "Asia/Jayapura"),
    "2 January 2026, 12:04 WIT",
  );
});

Deno.test("report formats: by extension; the HTML names nothing online; Markdown links its pictures", () => {
  assert.equal(reportFormat("a.MD"), "md");
  assert.equal(reportFormat("x/laporan.html"), "html");
  assert.equal(reportFormat("l.pdf"), "pdf");
  assert.throws(() => reportFormat("l.txt"), /\.md, \.html or \.pdf/);
  const blocks = reportBlocks({ lab: "demo", results: [LATE] }, {
    lang: "id",
    cover: { student: "Siti <script>", nim: "123" },
    timeZone: "Asia/Makassar",
    date: new Date("2026-01-02T03:04:05Z"),
  });
  const html = renderHtml(blocks, "id");
  assert.doesNotMatch(html, /https?:|<script/i);
  assert.match(html, /Siti &lt;script&gt;/);
  assert.match(html, /11\.04 WITA/);
  const md = renderMarkdown(blocks, "demo_files");
  assert.deepEqual(md.pictures.map((p) => p.path), [
    "demo_files/topology.svg",
    "demo_files/1-broadcast-sender-first.svg",
  ]);
  for (const p of md.pictures) assert.ok(md.text.includes(`](${p.path})`));
});

Deno.test("report in Indonesian: the summary's columns in Indonesian, in English the record names", () => {
  const tableHeaders = (lang: "en" | "id") =>
    reportBlocks({ lab: "demo", results: [LATE] }, { lang }).flatMap((b) =>
      b.kind === "table" ? b.header : []
    );
  const id = tableHeaders("id");
  for (const label of ["diterima", "angka pertama", "terlewat sebelum mulai"]) {
    assert.ok(id.includes(label), `${label} in ${id.join(", ")}`);
  }
  assert.ok(!id.includes("firstSeq"), id.join(", "));
  const en = tableHeaders("en");
  assert.ok(en.includes("firstSeq") && en.includes("received"), en.join(", "));
});

Deno.test("deno task lab may run Chromium at each path the report looks for it, and only there", async () => {
  const tasks = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ).tasks;
  const allowRun = (tasks.lab as string).match(/--allow-run=(\S+)/)![1].split(
    ",",
  );
  assert.deepEqual(allowRun.filter((p) => p.includes("chromium")), [
    ...CHROMIUM_PATHS,
  ]);
  assert.match(tasks.lab, /--allow-env=\S*\bTZ\b/);
  assert.match(tasks.demo, /--allow-env=\S*\bTZ\b/);
});

Deno.test("report multicast: the group and TTL from the sender, the TTL on the wire when a receiver read it, who did not join", () => {
  const result: ScenarioResult = {
    ...LATE,
    scenario: "multicast-chat",
    processes: [
      role("alpine-1", "multicast-sender", [
        [500, { type: "sending", group: "224.1.1.1", port: 5004, ttl: 2 }],
        [600, { type: "summary", sent: 3 }],
      ]),
      role("alpine-2", "multicast-receiver", [
        [100, { type: "listening", group: "224.1.1.1" }],
        [520, { type: "datagram", seq: null, text: "halo" }],
        [520, { type: "delivery", ttl: 2, to: "224.1.1.1" }],
        [700, { type: "summary", received: 3, firstSeq: null }],
      ]),
    ],
  };
  const group = multicastModel(result)!;
  assert.equal(group.group, "224.1.1.1");
  assert.equal(group.ttl, 2);
  assert.equal(group.wireTtl, 2);
  assert.deepEqual(group.members.map((m) => [m.host, m.received]), [[
    "alpine-2",
    3,
  ]]);
  const svg = multicastSvg(group, {
    others: [{ name: "alpine-3", address: "10.0.0.3" }],
  });
  assert.match(svg, />TTL on the wire: 2 \(read by alpine-2\)</);
  assert.match(svg, />alpine-3 10\.0\.0\.3</);
  assert.match(svg, />did not join: gets nothing</);
  const said = scenarioConclusion(result, [{ name: "alpine-1" }, {
    name: "alpine-2",
  }, { name: "alpine-3" }], "id").join(" ");
  assert.match(said, /alpine-3 tidak bergabung dan tidak menerima apa pun/);
  assert.match(
    said,
    /alpine-2 membaca TTL 2 di header IP datagram yang tiba, sama dengan yang diatur pengirim/,
  );
});

Deno.test("report multicast: the batch row's TTL read on the wire, said as it was (not the sender's setting)", () => {
  const result: ScenarioResult = {
    ...LATE,
    // Not a name of lab.yaml: the report goes by roles and records.
    scenario: "other",
    processes: [
      role("alpine-1", "multicast-sender", [
        [500, { type: "sending", group: "224.1.1.1", port: 5004, ttl: 2 }],
        [600, { type: "summary", sent: 1 }],
      ]),
      role("alpine-5", "multicast-receiver:batch", [
        [100, { type: "listening", group: "224.1.1.1" }],
        [520, { type: "datagram", seq: null, text: "halo" }],
        [520, { type: "delivery", ttl: 1, to: "224.1.1.1" }],
        [700, { type: "summary", received: 1, firstSeq: null }],
      ]),
    ],
  };
  assert.equal(scenarioKind(result), "multicast");
  const group = multicastModel(result)!;
  assert.equal(group.wireTtl, 1);
  assert.equal(group.wireTtlHost, "alpine-5");
  assert.match(multicastSvg(group), />TTL 2 \(set by the sender\)</);
  assert.match(
    multicastSvg(group),
    />TTL on the wire: 1 \(read by alpine-5\)</,
  );
  assert.match(
    scenarioConclusion(result, []).join(" "),
    /alpine-5 read TTL 1 in the IP header of the datagrams that arrived, not what the sender set/,
  );
});

/** A multicast-chat peer: joined at `at`, sent `lines`, got `heard`. */
function peer(
  host: string,
  at: number,
  lines: string[],
  heard: [number, Record<string, unknown>][],
): ProcessResult {
  return role(host, "multicast-chat", [
    [at, {
      type: "listening",
      group: "239.1.2.3",
      port: 5004,
      channel: "kelas",
      name: host,
      ttl: 2,
    }],
    ...lines.map((text, i): [number, Record<string, unknown>] => [
      at + 500 + i * 10,
      { type: "sent", name: host, text, bytes: text.length },
    ]),
    ...heard,
    [3000 + at, { type: "summary", sent: lines.length }],
  ], { stopped: true });
}

Deno.test("report multicast-chat: a sequence from each sender to every member, the non-member receiving nothing, a conclusion from the records", () => {
  const got = (ms: number, name: string, text: string) =>
    [ms, { type: "message", from: "10.0.0.9:1", name, text }] as [
      number,
      Record<string, unknown>,
    ];
  const result: ScenarioResult = {
    ...LATE,
    scenario: "whatever-the-recording-was-called",
    processes: [
      role("alpine-5", "udp-server", [
        [0, { type: "listening", port: 5004 }],
        [4000, { type: "summary", received: 0, replied: 0 }],
      ], { stopped: true }),
      role("alpine-4", "multicast-receiver", [
        [50, { type: "listening", group: "239.1.2.3" }],
        [510, { type: "datagram", seq: null, text: "alpine-1 : halo" }],
        // alpine-2's line never reached it.
        [300, { type: "datagram", seq: null, text: "* alpine-2 joined" }],
        [4000, { type: "summary", received: 2 }],
      ], { stopped: true }),
      peer("alpine-1", 100, ["halo"], [
        got(620, "alpine-2", "apa kabar"),
        [300, { type: "join", from: "10.0.0.2:1", name: "alpine-2" }],
      ]),
      // alpine-2 heard "halo" from someone else, not alpine-1's.
      peer("alpine-2", 110, ["apa kabar"], [got(515, "alpine-9", "halo")]),
    ],
  };
  assert.equal(scenarioKind(result), "multicast-chat");
  const chat = groupChatModel(result)!;
  assert.deepEqual(chat.peers, ["alpine-1", "alpine-2"]);
  assert.deepEqual(chat.receivers, ["alpine-4"]);
  assert.deepEqual(chat.outsiders, [{ host: "alpine-5", received: 0 }]);
  const lines = chat.events.filter((e) => e.kind === "message");
  assert.deepEqual(
    lines.map((e) => [e.host, e.text, e.delivered, e.missing]),
    [
      ["alpine-1", "halo", ["alpine-4"], ["alpine-2"]],
      ["alpine-2", "apa kabar", ["alpine-1"], ["alpine-4"]],
    ],
  );
  const join = chat.events.find((e) =>
    e.kind === "join" && e.host === "alpine-2"
  )!;
  assert.deepEqual(join.delivered, ["alpine-1", "alpine-4"]);
  const svg = groupChatSvg(chat);
  // A column per host, the non-member last with what it received.
  for (const host of ["alpine-1", "alpine-2", "alpine-4", "alpine-5"]) {
    assert.match(svg, new RegExp(`>${host}</text>`));
  }
  assert.match(svg, />not a member</);
  assert.match(svg, />received 0</);
  assert.equal(svg.match(/<title>not delivered<\/title>/g)?.length, 2);
  assert.match(svg, />“apa kabar”</);
  const said = scenarioConclusion(result, [], "id").join(" ");
  assert.match(
    said,
    /^Tidak ada server: alpine-1 dan alpine-2 bergabung ke grup 239\.1\.2\.3:5004 \(kanal kelas\), alpine-4 dengan penerima multicast biasa/,
  );
  assert.match(said, /2 baris, 2 dari 4 penyampaian ke 3 anggota sampai/);
  assert.match(said, /diterima: alpine-5 0/);
  assert.match(said, /mengatur TTL 2: datagram boleh melewati 1 router/);
  // The report draws it, the Markdown links the picture.
  const md = renderMarkdown(reportBlocks({ results: [result], lab: "t" }), "f");
  assert.match(
    md.text,
    /!\[1-whatever-the-recording-was-called\]\(f\/1-whatever-the-recording-was-called\.svg\)/,
  );
});

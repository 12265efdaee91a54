import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { picturesFolder } from "../lib/report/write.ts";
import { CAN_BUILD_LABS, lab, uniqueLabName } from "./_lab.ts";

/**
 * The whole transcript of `host`'s `role` in a report: its lines, from its
 * prompt to the blank line or fence that ends it.
 */
function transcriptOf(report: string, host: string, role: string): string[] {
  const at = report.search(new RegExp(`^${host}\\$ deno task ${role} `, "m"));
  assert.ok(at >= 0, `no transcript of ${host}`);
  const lines = report.slice(at).split("\n");
  return lines.slice(
    0,
    lines.findIndex((l) => l === "" || l.startsWith("```")),
  );
}

Deno.test({
  name:
    "lab run --report: transcripts in screen order (prompt and typed line), chat clients leave, commands as a student types them",
  ignore: !CAN_BUILD_LABS,
  async fn() {
    const name = uniqueLabName("rp");
    const report = await Deno.makeTempFile({ suffix: ".md" });
    try {
      const run = await lab([
        "run",
        "multicast",
        "tcp-chat",
        "--name",
        name,
        "--report",
        report,
        "--lang",
        "id",
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const text = await Deno.readTextFile(report);

      // The sender's banner, then each line typed at its prompt, as its
      // terminal shows them; then the prompt left when input ended.
      const sender = transcriptOf(text, "alpine-1", "multicast-sender");
      assert.deepEqual(
        sender.slice(1, 9).map((l) => l.replace(/:\d+ ke/, ":P ke")),
        [
          "mengirim dari 0.0.0.0:P ke 224.1.1.1:5004, TTL 2",
          "masukkan pesan :Halo semua dari alpine-1",
          "dikirim 24 byte ke 224.1.1.1:5004",
          "masukkan pesan :pesan kedua dari alpine-1",
          "dikirim 25 byte ke 224.1.1.1:5004",
          "masukkan pesan :pesan ketiga dari alpine-1",
          "dikirim 26 byte ke 224.1.1.1:5004",
          "masukkan pesan :",
        ],
      );
      assert.match(sender[9], /^selesai: 3 datagram/);

      // The chat clients leave as people do (Ctrl+D): the server sees each
      // one close its connection, none lost.
      const server = transcriptOf(text, "alpine-1", "chat-server");
      const left = server.filter((l) => / keluar: /.test(l));
      assert.equal(left.length, 4, server.join("\n"));
      for (const line of left) assert.match(line, /keluar: menutup koneksi/);

      // The commands with what is typed into them and how they end.
      assert.match(
        text,
        /\| alpine-2 \| `deno task chat-client --host alpine-1 --port 8080 --name alpine-2 --lang id` \(diketik: "halo dari alpine-2", "apa kabar, ini alpine-2\?"; lalu Ctrl\+D\) \|/,
      );
      assert.match(
        text,
        /\| alpine-3 \| `deno task multicast-receiver --group 224\.1\.1\.1 --port 5004 --lang id` \(lalu Ctrl\+C\) \|/,
      );

      // The pictures: SVG files next to the report, each link resolving.
      const links = [...text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) =>
        decodeURI(m[1])
      );
      assert.equal(links.length, 3, text); // topology, multicast, chat
      for (const link of links) {
        const svg = await Deno.readTextFile(join(dirname(report), link));
        assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
        assert.match(svg, /<\/svg>$/);
      }
      // The chat server's whole transcript: every relayed line, none cut.
      assert.equal(
        server.filter((l) => / : /.test(l)).length,
        8,
        server.join("\n"),
      );
      assert.doesNotMatch(server.join("\n"), /tidak ditampilkan/);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(report);
      await Deno.remove(join(dirname(report), picturesFolder(report)), {
        recursive: true,
      }).catch(() => {});
    }
  },
});

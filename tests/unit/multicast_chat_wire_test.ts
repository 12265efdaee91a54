import assert from "node:assert/strict";
import {
  channelGroup,
  channelProblem,
} from "../../lib/multicast_chat/channel.ts";
import { Members } from "../../lib/multicast_chat/members.ts";
import {
  encodeControl,
  encodeMessage,
  maxTextBytes,
  parseDatagram,
} from "../../lib/multicast_chat/wire.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("multicast-chat wire: messages and controls round-trip; other text is raw, escaped", () => {
  assert.equal(
    decode(encodeMessage("ana", "halo : semua")),
    "ana : halo : semua",
  );
  assert.deepEqual(parseDatagram(encodeMessage("ana", "halo : semua")), {
    kind: "message",
    name: "ana",
    text: "halo : semua",
  });
  for (
    const control of [
      { kind: "join", name: "alpine-1" },
      { kind: "leave", name: "alpine-1" },
      { kind: "who", name: "a.b_c" },
      { kind: "here", name: "x" },
      { kind: "rename", name: "alpine-1", to: "budi" },
    ] as const
  ) {
    assert.deepEqual(parseDatagram(encodeControl(control)), control);
  }
  assert.equal(
    decode(encodeControl({ kind: "who", name: "ana" })),
    "* ana asks who is here",
  );
  assert.deepEqual(parseDatagram(encode("halo semua")), {
    kind: "raw",
    text: "halo semua",
  });
  assert.deepEqual(parseDatagram(encode("* ana danced")), {
    kind: "raw",
    text: "* ana danced",
  });
  assert.deepEqual(parseDatagram(encode("a b : x")), {
    kind: "raw",
    text: "a b : x",
  });
  assert.deepEqual(
    parseDatagram(new Uint8Array([...encode("eve : \x1b[2J"), 0xff])),
    {
      kind: "message",
      name: "eve",
      text: "\\x1b[2J\\xff",
    },
  );
  assert.equal(maxTextBytes("ana"), 65507 - 6);
});

Deno.test("multicast-chat channels: the same group on every host, in 239.0.0.0/8, case-insensitive", () => {
  assert.equal(channelGroup("kelas"), "239.17.175.79");
  assert.equal(channelGroup("KELAS"), channelGroup("kelas"));
  assert.notEqual(channelGroup("kelas-a"), channelGroup("kelas-b"));
  for (const name of ["a", "progjar", "x".repeat(32)]) {
    assert.match(channelGroup(name), /^239\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
  }
  assert.equal(channelProblem("kelas_1.a-b"), undefined);
  assert.notEqual(channelProblem(""), undefined);
  assert.notEqual(channelProblem("a b"), undefined);
  assert.notEqual(channelProblem("x".repeat(33)), undefined);
});

Deno.test("multicast-chat members: bounded, the one heard from longest ago goes first; recent by time", () => {
  const members = new Members(3);
  members.heard("a:1", { name: "a", now: 1 });
  members.heard("b:1", { name: "b", now: 2 });
  members.heard("c:1", { now: 3 });
  members.heard("a:1", { now: 4 }); // heard again: now the newest
  members.heard("d:1", { name: "d", now: 5 }); // full: b goes
  assert.equal(members.size, 3);
  const all = members.recent({ seconds: 10, now: 5 });
  assert.deepEqual(all.map((m) => m.from), ["a:1", "c:1", "d:1"]);
  assert.equal(all[0].name, "a");
  assert.deepEqual(
    members.recent({ seconds: 0.002, now: 6 }).map((m) => m.from),
    ["a:1", "d:1"],
  );
  members.forget("a:1");
  for (let i = 0; i < 10_000; i++) members.heard(`10.0.0.1:${i}`);
  assert.equal(members.size, 3);
});

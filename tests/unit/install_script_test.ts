/**
 * The served install.sh as text: what the server writes into it, both
 * languages, a refused address, and that BusyBox `sh` parses every variant
 * (the lab test, `tests/serve_lab_test.ts`, runs it).
 */

import assert from "node:assert/strict";
import {
  installScript,
  isSafeBase,
  type PackFacts,
} from "../../lib/deploy/install_script.ts";

const PACK: PackFacts = {
  name: "progjar-alpine-x86_64.tar.gz",
  size: 43_139_523,
  sha256: "5a".repeat(32),
  unpackedSize: 99_041_280,
  machine: "x86_64",
};

const BUSYBOX = "/bin/busybox";
const HAS_BUSYBOX = (() => {
  try {
    return Deno.statSync(BUSYBOX).isFile;
  } catch {
    return false;
  }
})();

/** Runs `busybox sh` with the script on stdin and `args`; returns code and stderr. */
async function busyboxSh(script: string, args: string[]) {
  const child = new Deno.Command(BUSYBOX, {
    args: ["sh", ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const out = await child.output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("install.sh: the server's address, the pack's size, SHA-256 and needs", () => {
  const script = installScript({
    base: "http://192.168.122.1:8000",
    pack: PACK,
    lang: "en",
  });
  assert.match(script, /^BASE=http:\/\/192\.168\.122\.1:8000$/m);
  assert.match(script, /^SIZE=43139523$/m);
  assert.match(script, /^SIZE_MB=44$/m);
  assert.match(script, /^UNPACKED_MB=100$/m);
  assert.match(script, new RegExp(`^SHA256=${"5a".repeat(32)}$`, "m"));
  assert.match(script, /^TOP=progjar-alpine-x86_64$/m);
  // Run as a whole only once it has all arrived.
  assert.match(script, /\nprogjar_install <\/dev\/null\n$/);
  for (const tool of ["curl", "bash", "python"]) {
    assert.doesNotMatch(script, new RegExp(`\\b${tool}\\b`));
  }
});

Deno.test("install.sh: Indonesian messages with lang id", () => {
  const en = installScript({ base: "http://h:1", pack: PACK, lang: "en" });
  const id = installScript({ base: "http://h:1", pack: PACK, lang: "id" });
  assert.match(en, /checksum mismatch/);
  assert.match(id, /checksum tidak cocok/);
  assert.match(id, /tidak ada yang dipasang/);
  assert.doesNotMatch(id, /\bAnda\b/);
});

const RECORDS = { vm: "vm-3-192-168-122-131", secret: "0f".repeat(32) };

Deno.test("install.sh: the VM's records: its id and secret in serve.conf (mode 600), a first progjar send, and a last line naming progjar-send", () => {
  for (const lang of ["en", "id"] as const) {
    const script = installScript({
      base: "http://192.168.122.1:8000",
      pack: PACK,
      lang,
      records: RECORDS,
    });
    assert.match(script, /'base=http:\/\/192\.168\.122\.1:8000$/m);
    assert.match(script, /^vm=vm-3-192-168-122-131$/m);
    assert.match(script, new RegExp(`^secret=${"0f".repeat(32)}$`, "m"));
    assert.match(script, /umask 077/);
    assert.match(script, new RegExp(`progjar" send --lang ${lang} \\|\\| :`));
    // The last thing said names progjar-send.
    const says = script.split("\n").filter((l) => /^\s+say /.test(l));
    assert.match(says.at(-2)!, /progjar-send"$/);
  }
  const full = installScript({
    base: "http://h:1",
    pack: PACK,
    lang: "en",
    records: "full",
  });
  assert.match(full, /serve's store takes no more VMs/);
  assert.doesNotMatch(full, /serve\.conf\.\$\$/);
  // Without a store, nothing about records.
  const plain = installScript({ base: "http://h:1", pack: PACK, lang: "en" });
  assert.doesNotMatch(plain, /serve\.conf/);
});

Deno.test("install.sh: an address that could carry shell or URL tricks is refused", () => {
  for (
    const base of [
      "http://a;b",
      "http://$(reboot)",
      "http://h:80/x",
      'http://h"',
      "http://h:8000 x",
      "https://h",
    ]
  ) {
    assert.equal(isSafeBase(base), false, base);
    assert.throws(() => installScript({ base, pack: PACK, lang: "en" }));
  }
  assert.equal(isSafeBase("http://192.168.122.1:8000"), true);
  assert.equal(isSafeBase("http://lecturer-pc.local"), true);
});

Deno.test({
  name:
    "install.sh: BusyBox sh parses every variant; without a pack it says so and fails",
  ignore: !HAS_BUSYBOX,
  async fn() {
    for (const lang of ["en", "id"] as const) {
      for (const pack of [PACK, undefined]) {
        for (const records of [undefined, RECORDS, "full" as const]) {
          const script = installScript({
            base: "http://h:8000",
            pack,
            lang,
            records,
          });
          const { code, stderr } = await busyboxSh(script, ["-n"]);
          assert.equal(code, 0, stderr);
        }
      }
    }
    const none = installScript({ base: "http://h:8000", lang: "en" });
    const { code, stderr } = await busyboxSh(none, []);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /no \S+ Alpine pack to install \(on the server: deno task alpine-pack/,
    );
    assert.match(stderr, /nothing was installed/);
  },
});

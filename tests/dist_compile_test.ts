import assert from "node:assert/strict";
import { ROLES } from "../lib/roles.ts";
import { checkDenortBin, unionPermissions } from "../tools/compile.ts";
import { TARGETS } from "../tools/_common.ts";
import { runCommand, runTask } from "./_dist.ts";

const HOST = TARGETS.find((t) => t.machine === Deno.build.arch)!;

/** A temporary directory, removed when `body` is done. */
async function withTempDir(
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "progjar-compile-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Nothing may leave the host, not even a DNS query: the download goes to a
 * closed port on loopback.
 */
const OFFLINE = { DENORT_BASE_URL: "http://127.0.0.1:9" };

/** `deno task compile` for the host's target into `out`, with `env`. */
function compile(out: string, env: Record<string, string>) {
  return runTask("compile", ["--target", HOST.machine, "--out", out], {
    ...OFFLINE,
    ...env,
  });
}

/** The JSON object that follows `"key":` in `text` (the compiled program's metadata). */
function jsonAfter(text: string, key: string): Record<string, unknown> {
  const start = text.indexOf(`"${key}":`);
  assert.ok(start >= 0, `no "${key}" in the compiled program`);
  const from = text.indexOf("{", start);
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "{") depth++;
    if (text[i] === "}" && --depth === 0) {
      return JSON.parse(text.slice(from, i + 1));
    }
  }
  throw new Error(`unterminated "${key}"`);
}

Deno.test("compile: no denort and no download: one line saying what to do, exit 1", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/dist`;
    const { code, stderr } = await compile(out, {
      DENO_DIR: `${dir}/deno`, // no cached denort zip
      DENORT_BIN: "",
    });
    assert.equal(code, 1);
    const lines = stderr.trim().split("\n").filter((l) =>
      !l.startsWith("Task")
    );
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], /^compile: error: no denort for (x86_64|aarch64)/);
    assert.match(lines[0], new RegExp(`set DENORT_BIN=/path/to/denort`));
    assert.match(lines[0], /deno task pack/);
    assert.throws(() => Deno.statSync(out), Deno.errors.NotFound);
  });
});

Deno.test("compile: DENORT_BIN pointing at the deno CLI is refused in one line", async () => {
  await withTempDir(async (dir) => {
    const out = `${dir}/dist`;
    const { code, stderr } = await compile(out, {
      DENORT_BIN: Deno.execPath(),
    });
    assert.equal(code, 1);
    const lines = stderr.trim().split("\n").filter((l) =>
      !l.startsWith("Task")
    );
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], /is the deno CLI, not denort/);
    assert.throws(() => Deno.statSync(out), Deno.errors.NotFound);
  });
});

Deno.test("compile: a DENORT_BIN that does not exist is named in one line", async () => {
  await withTempDir(async (dir) => {
    const { code, stderr } = await compile(`${dir}/dist`, {
      DENORT_BIN: `${dir}/denort`,
    });
    assert.equal(code, 1);
    assert.match(stderr, /DENORT_BIN=.*\/denort: no such file/);
  });
});

Deno.test("compile: every role and progjar, each with its permissions baked in", async () => {
  // No denort is available offline, so the runtime is a stand-in: any ELF
  // program that is not deno. The compiled files cannot run, but they hold
  // what `deno compile` embedded, permissions included.
  await withTempDir(async (dir) => {
    const standIn = `${dir}/denort`;
    await Deno.copyFile("/bin/true", standIn);
    assert.equal(await checkDenortBin(standIn, [HOST]), HOST.elfMachine);
    const out = `${dir}/dist`;
    const { code, stderr } = await compile(out, { DENORT_BIN: standIn });
    assert.equal(code, 0, stderr);
    const programs = [
      ...ROLES.map((r) => ({ name: r.name, flags: [...r.permissions] })),
      { name: "progjar", flags: unionPermissions(ROLES) },
    ];
    for (const { name, flags } of programs) {
      const bytes = await Deno.readFile(`${out}/${HOST.triple}/${name}`);
      const text = new TextDecoder("latin1").decode(bytes);
      const baked = jsonAfter(text, "permissions");
      const list = (prefix: string) => {
        const flag = flags.find((f) =>
          f === prefix || f.startsWith(`${prefix}=`)
        );
        if (flag === undefined) return null;
        return flag.includes("=") ? flag.split("=")[1].split(",") : [];
      };
      for (const kind of ["env", "net", "read", "write", "run", "ffi", "sys"]) {
        assert.deepEqual(
          baked[`allow_${kind}`],
          list(`--allow-${kind}`),
          `${name}: --allow-${kind}`,
        );
      }
      assert.ok(!baked.allow_all, `${name}: not --allow-all`);
    }
  });
});

const denort = Deno.env.get("DENORT_BIN");
let realDenort = false;
if (denort) {
  try {
    realDenort = (await checkDenortBin(denort, [HOST])) === HOST.elfMachine;
  } catch {
    realDenort = false;
  }
}
if (!realDenort) {
  console.log(
    'dist_compile_test: skipping "compiled roles run": it needs a real denort for this host (none can be downloaded here); set DENORT_BIN=/path/to/denort to run it',
  );
}

Deno.test({
  name: "compiled roles run (needs a real denort in DENORT_BIN)",
  ignore: !realDenort,
  fn: async () => {
    await withTempDir(async (dir) => {
      const out = `${dir}/dist`;
      const { code, stderr } = await compile(out, { DENORT_BIN: denort! });
      assert.equal(code, 0, stderr);
      const bin = `${out}/${HOST.triple}`;
      const help = await runCommand(`${bin}/udp-server`, ["--help"]);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^udp-server: /);
      await Deno.symlink(`${bin}/progjar`, `${dir}/chat-server`);
      const byName = await runCommand(`${dir}/chat-server`, ["--help"]);
      assert.match(byName.stdout, /^chat-server: /);
      const list = await runCommand(`${bin}/progjar`, ["--help"]);
      for (const role of ROLES) {
        assert.match(list.stdout, new RegExp(role.name));
      }
    });
  },
});

/** A zip file holding one stored (uncompressed) entry. */
function storedZip(name: string, data: Uint8Array): Uint8Array {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  crc = ~crc >>> 0;
  const fileName = new TextEncoder().encode(name);
  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(4, 10, true);
  local.setUint32(14, crc, true);
  local.setUint32(18, data.length, true);
  local.setUint32(22, data.length, true);
  local.setUint16(26, fileName.length, true);
  const central = new DataView(new ArrayBuffer(46));
  central.setUint32(0, 0x02014b50, true);
  central.setUint16(4, 0x031e, true); // made by Unix
  central.setUint16(6, 10, true);
  central.setUint32(16, crc, true);
  central.setUint32(20, data.length, true);
  central.setUint32(24, data.length, true);
  central.setUint16(28, fileName.length, true);
  central.setUint32(38, (0o100755 << 16) >>> 0, true);
  const centralAt = 30 + fileName.length + data.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 1, true);
  end.setUint16(10, 1, true);
  end.setUint32(12, 46 + fileName.length, true);
  end.setUint32(16, centralAt, true);
  const parts = [
    new Uint8Array(local.buffer),
    fileName,
    data,
    new Uint8Array(central.buffer),
    fileName,
    new Uint8Array(end.buffer),
  ];
  const zip = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    zip.set(part, at);
    at += part.length;
  }
  return zip;
}

Deno.test("compile: a denort zip already in deno's cache is used, no download", async () => {
  await withTempDir(async (dir) => {
    const denoDir = `${dir}/deno`;
    const zip =
      `${denoDir}/dl/release/v${Deno.version.deno}/denort-${HOST.triple}.zip`;
    await Deno.mkdir(zip.slice(0, zip.lastIndexOf("/")), { recursive: true });
    // The stand-in runtime again: /bin/true, zipped as deno's release zips are.
    await Deno.writeFile(
      zip,
      storedZip("denort", await Deno.readFile("/bin/true")),
    );
    const out = `${dir}/dist`;
    const { code, stderr } = await compile(out, {
      DENO_DIR: denoDir,
      DENORT_BIN: "",
    });
    assert.equal(code, 0, stderr);
    const progjar = await Deno.readFile(`${out}/${HOST.triple}/progjar`);
    const text = new TextDecoder("latin1").decode(progjar);
    assert.ok(text.includes("d3n0l4nd"), "the program is embedded");
  });
});

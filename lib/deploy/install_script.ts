/**
 * The `install.sh` that `serve` hands to a VM (`wget -qO- http://HOST:PORT/install.sh | sh`):
 * written per request with the server's address as the VM used it (the Host
 * header), the Alpine pack's name, size and SHA-256. BusyBox `sh`, `wget`,
 * `sha256sum`, `df`, `gzip` and `tar` are all it uses (stock Alpine has
 * them; no curl, bash or python).
 *
 * What it does, in order, and stops with one line saying why at the first
 * problem, having installed nothing: root, machine, free space (the pack in
 * the download directory, the unpacked size next to `/opt/progjar`),
 * download with progress (a connection that breaks off is resumed with
 * `wget -c`, up to 3 more tries), size and checksum, unpack next to `/opt`, then the
 * pack's own `install.sh --move` (which swaps `/opt/progjar` in whole). A
 * trap removes the download and the half-unpacked directory on every exit.
 *
 * @example
 * ```ts
 * import { installScript } from "./install_script.ts";
 *
 * const script = installScript({
 *   base: "http://192.168.122.1:8000",
 *   pack: { name: "progjar-alpine-x86_64.tar.gz", size: 43_100_000, sha256: "ab".repeat(32), unpackedSize: 99_000_000, machine: "x86_64" },
 *   lang: "en",
 * });
 * console.log(script.startsWith("#!/bin/sh")); // true
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import { confText, VM_CONF, VM_RECORDS } from "./delivery.ts";

/** The Alpine pack as the script needs to know it. */
export interface PackFacts {
  /** Its file name on the server, e.g. `progjar-alpine-x86_64.tar.gz`. */
  name: string;
  /** Its size in bytes. */
  size: number;
  /** Its SHA-256, 64 hex digits. */
  sha256: string;
  /** The size of what it unpacks to, in bytes. */
  unpackedSize: number;
  /** `uname -m` of the hosts it is for. */
  machine: string;
}

/** What {@linkcode installScript} writes into the script. */
export interface InstallScriptOptions {
  /** The server as the VM reached it: `http://192.168.122.1:8000`. */
  base: string;
  /** The pack to install; without one the script says what is missing. */
  pack?: PackFacts;
  /** The language of the script's messages. */
  lang: Lang;
  /**
   * The VM's id and secret for its records (`serve`'s store), or `"full"`
   * when the store takes no more VMs; absent: no records.
   */
  records?: { vm: string; secret: string } | "full";
}

/** Where the pack installs (fixed: written into its deno binary). */
export const INSTALL_PREFIX = "/opt/progjar";

/** A host name or address and port as they may appear in a URL and the script. */
const SAFE_BASE = /^http:\/\/[A-Za-z0-9.\-]+(:[0-9]{1,5})?$/;

/** Whether `base` can go into the script as is (no shell or URL tricks). */
export function isSafeBase(base: string): boolean {
  return SAFE_BASE.test(base);
}

/** The script's messages (shell text; `$1`… are filled in by `say`). */
interface ScriptText {
  notRoot: string;
  machine: string;
  missingTool: string;
  space: string;
  spaceHint: string;
  downloading: string;
  downloadFailed: string;
  resuming: string;
  wrongSize: string;
  checksum: string;
  unpacking: string;
  unpackFailed: string;
  installFailed: string;
  done: string;
  tryIt: string;
  noPack: string;
  nothing: string;
  records: string;
  recordsFull: string;
  recordsFailed: string;
}

const TEXT: Record<Lang, ScriptText> = {
  en: {
    notRoot: "run it as root (on Alpine: log in as root, or: su -)",
    machine: "the pack is for $MACHINE; this host is $machine",
    missingTool: "$tool not found (BusyBox provides it on Alpine)",
    space:
      "not enough space in $1 ($2): $3 MB needed, $4 MB free; $5 MB missing",
    spaceHint:
      "free some space, or download elsewhere: wget -qO- $BASE/install.sh | TMPDIR=/root sh",
    downloading: "downloading $PACK ($SIZE_MB MB) from $BASE",
    downloadFailed:
      "the download failed $attempts times (got $got of $SIZE bytes$why): is serve still running at $BASE, the network to it steady? Then run the line again",
    resuming:
      "the download broke off at $got of $SIZE bytes; resuming (try $tries of $RESUMES)",
    wrongSize: "the download has $1 bytes, not $SIZE (cut off?)",
    checksum:
      "checksum mismatch: got $1, expected $SHA256 (the download is damaged, or the pack was rebuilt on the server: run the line again)",
    unpacking: "checksum ok; unpacking ($UNPACKED_MB MB)",
    unpackFailed: "could not unpack into $1",
    installFailed: "the pack's install.sh failed",
    done: "done in $1 s (download $2 s, unpack $3 s, first start $4 s)",
    tryIt: "try it: progjar --help",
    noPack:
      "the server has no $MACHINE Alpine pack to install (on the server: deno task alpine-pack, then restart serve)",
    nothing: "nothing was installed",
    records:
      "records: every role's run is kept in $RECORDS and goes to serve when it ends; if serve could not be reached then: progjar-send",
    recordsFull:
      "records: serve's store takes no more VMs: the roles run, nothing is recorded",
    recordsFailed:
      "records: could not write $RECORDS or /var/lib/progjar/serve.conf: the roles run, nothing is recorded",
  },
  id: {
    notRoot:
      "jalankan sebagai root (di Alpine: masuk sebagai root, atau: su -)",
    machine: "paket ini untuk $MACHINE; host ini $machine",
    missingTool: "$tool tidak ada (di Alpine disediakan BusyBox)",
    space: "ruang di $1 ($2) kurang: perlu $3 MB, tersedia $4 MB; kurang $5 MB",
    spaceHint:
      "kosongkan ruang, atau unduh ke tempat lain: wget -qO- $BASE/install.sh | TMPDIR=/root sh",
    downloading: "mengunduh $PACK ($SIZE_MB MB) dari $BASE",
    downloadFailed:
      "unduhan gagal $attempts kali (dapat $got dari $SIZE byte$why): apakah serve masih berjalan di $BASE, jaringannya stabil? Lalu jalankan baris itu lagi",
    resuming:
      "unduhan terputus pada $got dari $SIZE byte; melanjutkan (percobaan $tries dari $RESUMES)",
    wrongSize: "unduhan berisi $1 byte, bukan $SIZE (terpotong?)",
    checksum:
      "checksum tidak cocok: dapat $1, seharusnya $SHA256 (unduhan rusak, atau paket di server dibangun ulang: jalankan baris itu lagi)",
    unpacking: "checksum cocok; membongkar ($UNPACKED_MB MB)",
    unpackFailed: "tidak bisa membongkar ke $1",
    installFailed: "install.sh dari paket gagal",
    done:
      "selesai dalam $1 dtk (unduh $2 dtk, bongkar $3 dtk, start pertama $4 dtk)",
    tryIt: "coba: progjar --help",
    noPack:
      "server tidak punya paket Alpine $MACHINE untuk dipasang (di server: deno task alpine-pack, lalu jalankan ulang serve)",
    nothing: "tidak ada yang dipasang",
    records:
      "rekaman: setiap jalannya role disimpan di $RECORDS dan dikirim ke serve saat role berakhir; bila serve tidak terjangkau saat itu: progjar-send",
    recordsFull:
      "rekaman: penyimpanan serve tidak menerima VM lagi: role berjalan, tidak ada yang direkam",
    recordsFailed:
      "rekaman: tidak bisa menulis $RECORDS atau /var/lib/progjar/serve.conf: role berjalan, tidak ada yang direkam",
  },
};

/** Megabytes, rounded up: what `df -k` numbers are compared with. */
function megabytes(bytes: number): number {
  return Math.ceil(bytes / 1e6);
}

/** A message for `say`/`fail`: double-quoted shell text, `$…` expanded. */
function quoted(text: string): string {
  if (/["`\\]/.test(text)) throw new Error(`unsafe script text: ${text}`);
  return `"${text}"`;
}

/**
 * The served `install.sh`. Throws for a `base` that {@linkcode isSafeBase}
 * refuses (the caller answers 400 instead).
 */
export function installScript(options: InstallScriptOptions): string {
  const { base, pack, lang } = options;
  if (!isSafeBase(base)) throw new Error(`unsafe base URL: ${base}`);
  const t = TEXT[lang];
  const head = `#!/bin/sh
# progjar installer, served by "progjar serve" / "deno task serve".
#   wget -qO- ${base}/install.sh | sh            (as root; BusyBox is enough)
#   wget -qO- ${base}/install.sh | TMPDIR=/root sh   (download elsewhere than /tmp)
# Everything is in one function, run on the last line: a script cut off in
# transit runs nothing.
`;
  if (!pack) {
    return `${head}
progjar_install() {
  MACHINE=$(uname -m)
  echo ${quoted(`install.sh: error: ${t.noPack}`)} >&2
  echo ${quoted(`install.sh: ${t.nothing}`)} >&2
  return 1
}
progjar_install </dev/null
`;
  }
  const mb = megabytes(pack.size);
  // The unpacked pack, and the same again while an older /opt/progjar is
  // swapped out (both live side by side for a moment).
  const unpackedMb = megabytes(pack.unpackedSize);
  const top = pack.name.replace(/\.tar\.gz$/, "");
  return `${head}# The pack: ${pack.name}, ${pack.size} bytes, unpacks to ${unpackedMb} MB.
BASE=${base}
PACK=${pack.name}
TOP=${top}
SIZE=${pack.size}
SIZE_MB=${mb}
UNPACKED_MB=${unpackedMb}
SHA256=${pack.sha256}
MACHINE=${pack.machine}
PREFIX=${INSTALL_PREFIX}

RESUMES=3

say() { echo "install.sh: $*"; }
# The size of file $1 in bytes (0 when there is none yet).
size_of() {
  if [ -f "$1" ]; then wc -c < "$1" | tr -d ' '; else echo 0; fi
}
fail() {
  echo "install.sh: error: $*" >&2
  echo ${quoted(`install.sh: ${t.nothing}`)} >&2
  exit 1
}

# Seconds since boot (to 0.01 s), and seconds between two of them.
now() { awk '{ print $1 }' /proc/uptime 2>/dev/null || date +%s; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# The nearest existing directory of $1.
existing() {
  d=$1
  while [ ! -d "$d" ]; do d=$(dirname "$d"); done
  echo "$d"
}
# Free MB of the file system holding $1: statfs (no mount table needed, so
# it also works in a chroot), else df.
free_mb() {
  d=$(existing "$1")
  if s=$(stat -f -c '%a %S' "$d" 2>/dev/null); then
    set -- $s
    awk -v a="$1" -v b="$2" 'BEGIN { print int(a * b / 1000000) }'
  else
    df -Pk "$d" | awk 'END { print int($4 / 1000) }'
  fi
}
# Which file system holds $1 (its device), and its type for people.
fs_of() { stat -c %d "$(existing "$1")" 2>/dev/null || df -P "$(existing "$1")" | awk 'END { print $6 }'; }
fs_type() { stat -f -c %T "$(existing "$1")" 2>/dev/null || echo "?"; }
# need_space DIR MB: fails with how much is missing.
need_space() {
  free=$(free_mb "$1")
  if [ "$free" -lt "$2" ]; then
    missing=$(( $2 - free ))
    set -- "$1" "$(fs_type "$1")" "$2" "$free" "$missing"
    echo ${quoted(`install.sh: error: ${t.space}`)} >&2
    echo ${quoted(`install.sh: ${t.spaceHint}`)} >&2
    echo ${quoted(`install.sh: ${t.nothing}`)} >&2
    exit 1
  fi
}

progjar_install() {
  [ "$(id -u)" = 0 ] || fail ${quoted(t.notRoot)}
  machine=$(uname -m)
  [ "$machine" = "$MACHINE" ] || fail ${quoted(t.machine)}
  for tool in wget sha256sum stat awk gzip tar; do
    command -v "$tool" >/dev/null 2>&1 || fail ${quoted(t.missingTool)}
  done

  dl_dir=\${TMPDIR:-/tmp}
  mkdir -p "$dl_dir" 2>/dev/null || :
  opt_dir=$(dirname "$PREFIX")
  # The same file system holds both: it needs both.
  if [ "$(fs_of "$dl_dir")" = "$(fs_of "$opt_dir")" ]; then
    need_space "$dl_dir" $(( SIZE_MB + UNPACKED_MB ))
  else
    need_space "$dl_dir" "$SIZE_MB"
    need_space "$opt_dir" "$UNPACKED_MB"
  fi

  file=$dl_dir/$PACK.$$
  err=$dl_dir/.progjar-wget.$$
  work=$opt_dir/.progjar-install.$$
  trap 'rm -rf "$file" "$err" "$work"' EXIT
  trap 'exit 130' INT TERM

  start=$(now)
  say ${quoted(t.downloading)}
  # A connection that breaks off is resumed where it stopped (wget -c asks
  # for the rest with a Range header): up to RESUMES more tries, a pause
  # between them; then one line with what wget last said.
  tries=0
  while :; do
    c=
    [ "$tries" = 0 ] || c=-c
    if [ -t 2 ]; then
      wget $c -O "$file" "$BASE/$PACK" && break
    else
      wget -q $c -O "$file" "$BASE/$PACK" 2>"$err" && break
    fi
    got=$(size_of "$file")
    [ "$got" -lt "$SIZE" ] || break
    if [ "$tries" -ge "$RESUMES" ]; then
      attempts=$((tries + 1))
      why=$(tail -n 1 "$err" 2>/dev/null)
      [ -z "$why" ] || why="; $why"
      fail ${quoted(t.downloadFailed)}
    fi
    tries=$((tries + 1))
    say ${quoted(t.resuming)}
    sleep "$tries"
  done
  got=$(size_of "$file")
  [ "$got" = "$SIZE" ] || fail ${quoted(t.wrongSize.replace("$1", "$got"))}
  sum=$(sha256sum "$file" | awk '{ print $1 }')
  [ "$sum" = "$SHA256" ] || fail ${quoted(t.checksum.replace("$1", "$sum"))}
  fetched=$(now)

  say ${quoted(t.unpacking)}
  mkdir -p "$work" || fail ${quoted(t.unpackFailed.replace("$1", "$work"))}
  gzip -dc "$file" | tar -xf - -C "$work" ||
    fail ${quoted(t.unpackFailed.replace("$1", "$work"))}
  rm -f "$file"
  unpacked=$(now)

  # The pack's own installer moves progjar/ into place whole.
  sh "$work/$TOP/install.sh" --move || fail ${quoted(t.installFailed)}
  installed=$(now)
  # The first start of a role (deno reads its files for the first time).
  "$PREFIX/bin/progjar" udp-server --help >/dev/null 2>&1 ||
    fail ${quoted(t.installFailed)}
  end=$(now)
  set -- "$(secs "$start" "$end")" "$(secs "$start" "$fetched")" \
    "$(secs "$fetched" "$unpacked")" "$(secs "$installed" "$end")"
  say ${quoted(t.done)}
  say ${quoted(t.tryIt)}
${recordsPart(options)}}
progjar_install </dev/null
`;
}

/**
 * The end of the script for the VM's records: the directories on its disk,
 * serve's address with the VM's id and secret (mode 600), a first delivery
 * of the VM's facts (the way back checked), and the line naming
 * `progjar-send`. A VM installed again keeps the runs it has.
 */
function recordsPart(options: InstallScriptOptions): string {
  const t = TEXT[options.lang];
  if (options.records === undefined) return "";
  if (options.records === "full") return `  say ${quoted(t.recordsFull)}\n`;
  const conf = confText({ base: options.base, ...options.records });
  // Installed by now: a failure here costs the records, not the install.
  return `  RECORDS=${VM_RECORDS}
  if mkdir -p "$RECORDS/pending" "$RECORDS/sent" "$RECORDS/refused" &&
    (umask 077 && printf '%s' '${conf}' > "${VM_CONF}.$$" &&
      mv -f "${VM_CONF}.$$" "${VM_CONF}"); then
    # The VM's facts to serve now (and any runs kept from before): its line
    # says whether the way back works.
    "$PREFIX/bin/progjar" send --lang ${options.lang} || :
    say ${quoted(t.records)}
  else
    rm -f "${VM_CONF}.$$"
    say ${quoted(t.recordsFailed)}
  fi
`;
}

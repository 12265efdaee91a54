/**
 * HTTP/1.1 on the wire, the small part `serve` needs: where a request's head
 * ends, what it says (method, target, headers), a response's head, and the
 * `Range` header of a download. Pure functions on bytes and strings, so the
 * server's connection loop holds no parsing and the edge cases are tested
 * alone (tests/unit/serve_http_test.ts).
 *
 * @module
 */

/** A request head that is not HTTP/1.x as this server takes it. */
export class BadRequest extends Error {
  /** The status to answer with (400, 501, 505). */
  readonly status: number;

  /** A bad head, answered with `status`. */
  constructor(status: number, message: string) {
    super(message);
    this.name = "BadRequest";
    this.status = status;
  }
}

/** A parsed request head. */
export interface RequestHead {
  /** `GET`, `HEAD`, `POST`, … as sent (methods are case-sensitive). */
  method: string;
  /** The request target as sent: `/install.sh?lang=id`. */
  target: string;
  /** `1.0` or `1.1`. */
  version: "1.0" | "1.1";
  /** The header fields, names lower-cased, repeated fields joined. */
  headers: Headers;
  /** The body's length from `Content-Length` (0 without one). */
  contentLength: number;
}

const CR = 13;
const LF = 10;

/**
 * Where the head in `bytes[0, length)` ends: the index just after its blank
 * line (CRLF CRLF, or a bare LF LF as lenient clients send), or -1 when it
 * has not all arrived. `from` skips what an earlier call already searched.
 */
export function headEnd(bytes: Uint8Array, length: number, from = 0): number {
  for (let i = Math.max(0, from - 3); i < length; i++) {
    if (bytes[i] !== LF) continue;
    if (i + 1 < length && bytes[i + 1] === LF) return i + 2;
    if (i + 2 < length && bytes[i + 1] === CR && bytes[i + 2] === LF) {
      return i + 3;
    }
  }
  return -1;
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(\d)\.(\d)$/;

/**
 * Parses a complete request head (up to and including its blank line).
 * Throws {@linkcode BadRequest} for anything this server cannot answer
 * safely: a malformed line, folded or invalid fields, conflicting or
 * invalid `Content-Length`, or a `Transfer-Encoding` (no chunked uploads).
 */
export function parseHead(bytes: Uint8Array): RequestHead {
  // Field values are ASCII in practice; latin1 keeps every byte one char.
  const text = new TextDecoder("latin1").decode(bytes);
  const lines = text.split(/\r?\n/);
  // A client may send empty lines before the request line (RFC 9112 2.2).
  while (lines.length > 0 && lines[0] === "") lines.shift();
  const match = REQUEST_LINE.exec(lines[0] ?? "");
  if (!match) throw new BadRequest(400, "malformed request line");
  const [, method, target, major, minor] = match;
  if (major !== "1") throw new BadRequest(505, `HTTP/${major}.${minor}`);
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    if (line[0] === " " || line[0] === "\t") {
      throw new BadRequest(400, "folded header field");
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw new BadRequest(400, "malformed header field");
    const name = line.slice(0, colon);
    try {
      headers.append(name, line.slice(colon + 1).trim());
    } catch {
      throw new BadRequest(400, `invalid header field ${name.slice(0, 40)}`);
    }
  }
  if (headers.has("transfer-encoding")) {
    throw new BadRequest(501, "Transfer-Encoding in a request");
  }
  let contentLength = 0;
  const lengths = headers.get("content-length");
  if (lengths !== null) {
    // Repeated fields arrive joined with ", ": all must agree.
    const values = new Set(lengths.split(",").map((v) => v.trim()));
    const [only] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(only)) {
      throw new BadRequest(400, "invalid Content-Length");
    }
    contentLength = Number(only);
  }
  return {
    method,
    target,
    version: minor === "0" ? "1.0" : "1.1",
    headers,
    contentLength,
  };
}

/** Reason phrases of the statuses this server sends. */
const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  204: "No Content",
  206: "Partial Content",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  411: "Length Required",
  413: "Content Too Large",
  416: "Range Not Satisfiable",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
  507: "Insufficient Storage",
};

/** The reason phrase of `status` (`Status 299` for one not listed). */
export function reasonOf(status: number): string {
  return REASONS[status] ?? `Status ${status}`;
}

/**
 * A response's head: status line, `headers` (in their order), then
 * `content-length` and `connection: close` (one request per connection),
 * and the blank line.
 */
export function responseHead(
  status: number,
  headers: Iterable<[string, string]>,
  contentLength: number,
): Uint8Array {
  let text = `HTTP/1.1 ${status} ${reasonOf(status)}\r\n`;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "connection") continue;
    text += `${name}: ${value}\r\n`;
  }
  text += `content-length: ${contentLength}\r\nconnection: close\r\n\r\n`;
  return new TextEncoder().encode(text);
}

/** A satisfiable byte range of a file: `start` to `end` inclusive. */
export interface ByteRange {
  /** The first byte. */
  start: number;
  /** The last byte (inclusive). */
  end: number;
}

/**
 * What a `Range` header asks of a file of `size` bytes:
 * - `undefined`: the whole file (no header, or one this server does not
 *   act on: not `bytes=`, several ranges, malformed; RFC 9110 lets a server
 *   ignore those and answer 200);
 * - `"unsatisfiable"`: a range wholly outside the file (answer 416);
 * - a {@linkcode ByteRange} (answer 206 with exactly those bytes).
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (header === null) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") {
    // bytes=-N: the last N bytes.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
    return undefined;
  }
  if (start >= size) return "unsatisfiable";
  if (end < start) return undefined;
  return { start, end: Math.min(end, size - 1) };
}

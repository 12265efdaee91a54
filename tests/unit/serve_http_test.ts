import assert from "node:assert/strict";
import {
  BadRequest,
  headEnd,
  parseHead,
  parseRange,
  responseHead,
} from "../../lib/deploy/_http.ts";
import { LogThrottle } from "../../lib/deploy/_log_throttle.ts";
import { Sha256 } from "../../lib/deploy/_sha256.ts";
import { Router } from "../../lib/deploy/http_router.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("headEnd: the blank line, CRLF or bare LF, also when it arrives split", () => {
  const head = bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\nBODY");
  assert.equal(headEnd(head, head.length), head.length - 4);
  assert.equal(headEnd(head, 20), -1);
  const lf = bytes("GET / HTTP/1.0\nHost: x\n\n");
  assert.equal(headEnd(lf, lf.length), lf.length);
  // Searched from where the last read ended, the CRLF CRLF across reads.
  assert.equal(headEnd(head, head.length, 25), head.length - 4);
});

Deno.test("parseHead: method, target, headers, Content-Length; bad heads are BadRequest with their status", () => {
  const head = parseHead(
    bytes(
      "POST /records HTTP/1.1\r\nHost: 10.0.0.1:8000\r\nContent-Length: 12\r\nX-A: 1\r\nX-A: 2\r\n\r\n",
    ),
  );
  assert.equal(head.method, "POST");
  assert.equal(head.target, "/records");
  assert.equal(head.version, "1.1");
  assert.equal(head.contentLength, 12);
  assert.equal(head.headers.get("host"), "10.0.0.1:8000");
  assert.equal(head.headers.get("x-a"), "1, 2");
  for (
    const [text, status] of [
      ["GARBAGE\r\n\r\n", 400],
      ["GET / HTTP/2.0\r\n\r\n", 505],
      ["GET / HTTP/1.1\r\n folded\r\n\r\n", 400],
      ["GET / HTTP/1.1\r\nno colon\r\n\r\n", 400],
      ["GET / HTTP/1.1\r\nbad name: x\r\n\r\n", 400],
      ["GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400],
      ["GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400],
      ["POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501],
    ] as const
  ) {
    assert.throws(
      () => parseHead(bytes(text)),
      (err) => err instanceof BadRequest && err.status === status,
      text,
    );
  }
});

Deno.test("responseHead: status line, the fields, content-length and connection: close", () => {
  const text = new TextDecoder().decode(
    responseHead(206, [["content-range", "bytes 0-9/100"], [
      "Content-Length",
      "999",
    ]], 10),
  );
  assert.equal(
    text,
    "HTTP/1.1 206 Partial Content\r\ncontent-range: bytes 0-9/100\r\ncontent-length: 10\r\nconnection: close\r\n\r\n",
  );
});

Deno.test("parseRange: one byte range of the file, unsatisfiable outside it, the whole file for anything else", () => {
  assert.equal(parseRange(null, 100), undefined);
  assert.deepEqual(parseRange("bytes=10-19", 100), { start: 10, end: 19 });
  assert.deepEqual(parseRange("bytes=90-", 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange("bytes=-5", 100), { start: 95, end: 99 });
  assert.deepEqual(parseRange("bytes=-500", 100), { start: 0, end: 99 });
  assert.deepEqual(parseRange("bytes=50-5000", 100), { start: 50, end: 99 });
  assert.equal(parseRange("bytes=100-", 100), "unsatisfiable");
  assert.equal(parseRange("bytes=-0", 100), "unsatisfiable");
  assert.equal(parseRange("bytes=0-", 0), "unsatisfiable");
  for (const other of ["bytes=5-1", "bytes=0-1,3-4", "items=1-2", "bytes=-"]) {
    assert.equal(parseRange(other, 100), undefined, other);
  }
});

Deno.test("LogThrottle: the first of a key's window shown, the rest counted and reported once the window is over", () => {
  let now = 0;
  const throttle = new LogThrottle({
    windowMs: 1000,
    burst: 2,
    now: () => now,
  });
  assert.deepEqual(
    [1, 2, 3, 4].map(() => throttle.admit("a")),
    [true, true, false, false],
  );
  assert.equal(throttle.admit("b"), true);
  assert.deepEqual(throttle.due(), []);
  now = 1500;
  assert.deepEqual(throttle.due(), [{ key: "a", count: 2, windowMs: 1000 }]);
  // A new window: shown again.
  assert.equal(throttle.admit("a"), true);
  assert.equal(throttle.admit("a"), true);
  assert.equal(throttle.admit("a"), false);
  assert.deepEqual(throttle.drain(), [{ key: "a", count: 1, windowMs: 1000 }]);
  assert.deepEqual(throttle.drain(), []);
});

Deno.test("Sha256: the digest Web Crypto gives, for every length and in pieces of any size", async () => {
  for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 65_536]) {
    const data = crypto.getRandomValues(new Uint8Array(length));
    const want = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", data)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    for (const piece of [1, 37, 64, 100_000]) {
      const hash = new Sha256();
      for (let i = 0; i < length; i += piece) {
        hash.update(data.subarray(i, i + piece));
      }
      assert.equal(hash.hex(), want, `${length} in pieces of ${piece}`);
    }
  }
});

Deno.test("Router: exact paths before prefixes, HEAD by GET, 405 with what is allowed, 404", () => {
  const ok = () => new Response("ok");
  const router = new Router()
    .get("/install.sh", ok)
    .get("/*", ok)
    .post("/records", ok, { maxBody: 10 });
  const found = (method: string, path: string) => {
    const route = router.find(method, path);
    return route === 404 || "allowed" in route
      ? route
      : `${route.method} ${route.pattern}`;
  };
  assert.equal(found("GET", "/install.sh"), "GET /install.sh");
  assert.equal(found("HEAD", "/install.sh"), "GET /install.sh");
  assert.equal(found("GET", "/progjar.js"), "GET /*");
  assert.equal(found("POST", "/records"), "POST /records");
  assert.deepEqual(found("GET", "/records"), { allowed: ["POST"] });
  assert.deepEqual(found("POST", "/install.sh"), { allowed: ["GET", "HEAD"] });
  assert.equal(new Router().find("GET", "/"), 404);
});

import assert from "node:assert/strict";
import { plural } from "../lib/i18n.ts";
import { formatSummary } from "../lib/receiver.ts";
import { SequenceTracker } from "../lib/sequence.ts";

function summaryOf(seqs: (number | undefined)[]) {
  const tracker = new SequenceTracker();
  for (const seq of seqs) tracker.add(seq);
  return tracker.summary();
}

Deno.test("plural: one takes the singular, every other count the plural", () => {
  assert.equal(plural(1, "datagram", "datagrams"), "1 datagram");
  assert.equal(plural(0, "datagram", "datagrams"), "0 datagrams");
  assert.equal(plural(2, "reply", "replies"), "2 replies");
});

Deno.test("a receiver's summary counts in the singular for one datagram", () => {
  assert.deepEqual(formatSummary(summaryOf([undefined]), "en"), [
    "summary: 1 datagram received; no numbered datagram received",
  ]);
  assert.match(
    formatSummary(summaryOf([1]), "en")[0],
    /^summary: 1 datagram received \(0 without a number, 0 duplicates,/,
  );
});

Deno.test("a multicast chat receiver's summary counts messages, not numbers", () => {
  const three = summaryOf([undefined, undefined, undefined]);
  assert.deepEqual(formatSummary(three, "en", { messages: true }), [
    "summary: 3 messages received",
  ]);
  assert.deepEqual(formatSummary(three, "id", { messages: true }), [
    "ringkasan: 3 pesan diterima",
  ]);
  assert.deepEqual(
    formatSummary(summaryOf([undefined]), "en", { messages: true }),
    [
      "summary: 1 message received",
    ],
  );
  // Numbered payloads sent to a group still get the sequence summary.
  assert.match(
    formatSummary(summaryOf([1, 2]), "en", { messages: true })[1],
    /^first number 1:/,
  );
});

import assert from "node:assert/strict";
import {
  checkGroup,
  checkHost,
  checkIpv4,
  checkPort,
  ipv4ToNumber,
  isIpv4,
  isMulticastIpv4,
  type LocalNetwork,
  networkOf,
  numberToIpv4,
  parseIpv4,
  resolveIpv4,
} from "../../lib/cli/address.ts";
import { RuntimeError, UsageError } from "../../lib/cli/errors.ts";

/** The English message of the usage error `run` throws. */
function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  assert.fail("expected a UsageError");
}

Deno.test("parseIpv4 and isIpv4: dotted quads only, octets up to 255", () => {
  assert.deepEqual(parseIpv4("192.168.122.7"), [192, 168, 122, 7]);
  assert.deepEqual(parseIpv4("0.0.0.0"), [0, 0, 0, 0]);
  for (
    const bad of [
      "256.1.1.1",
      "1.2.3",
      "1.2.3.4.5",
      " 1.2.3.4",
      "a.b.c.d",
      "1.2.3.1234",
      "",
    ]
  ) {
    assert.equal(parseIpv4(bad), undefined, bad);
    assert.equal(isIpv4(bad), false, bad);
  }
});

Deno.test("isMulticastIpv4: 224.0.0.0/4 and nothing else", () => {
  assert.equal(isMulticastIpv4("224.0.0.0"), true);
  assert.equal(isMulticastIpv4("224.1.1.1"), true);
  assert.equal(isMulticastIpv4("239.255.255.255"), true);
  assert.equal(isMulticastIpv4("223.255.255.255"), false);
  assert.equal(isMulticastIpv4("240.0.0.0"), false);
  assert.equal(isMulticastIpv4("not an address"), false);
});

Deno.test("ipv4ToNumber and numberToIpv4: unsigned 32-bit, both ways", () => {
  assert.equal(ipv4ToNumber("255.255.255.255"), 0xffffffff);
  assert.equal(ipv4ToNumber("192.168.122.255"), 0xc0a87aff);
  assert.equal(numberToIpv4(0xc0a87aff), "192.168.122.255");
  assert.equal(numberToIpv4(ipv4ToNumber("10.0.0.1")), "10.0.0.1");
  assert.equal(
    usageMessage(() => ipv4ToNumber("x")),
    'not an IPv4 address: "x"',
  );
});

Deno.test("checkPort: 1 to 65535, 0 only for listeners; the message names the flag", () => {
  assert.equal(checkPort("port", "5005"), 5005);
  assert.equal(checkPort("port", "65535"), 65535);
  assert.equal(checkPort("port", "0", { allowZero: true }), 0);
  assert.equal(
    usageMessage(() => checkPort("port", "0")),
    '--port: expected a port from 1 to 65535, got "0"',
  );
  for (const bad of ["65536", "-1", "80a", "", "123456", "1e3"]) {
    assert.throws(() => checkPort("port", bad), UsageError, bad);
  }
});

Deno.test("checkIpv4, checkGroup, checkHost: what each flag accepts", () => {
  assert.equal(checkIpv4("bind", "127.0.0.1"), "127.0.0.1");
  assert.equal(
    usageMessage(() => checkIpv4("bind", "localhost")),
    '--bind: expected an IPv4 address like 192.168.122.7, got "localhost"',
  );
  assert.equal(checkGroup("group", "224.1.1.1"), "224.1.1.1");
  assert.equal(
    usageMessage(() => checkGroup("group", "192.168.1.1")),
    '--group: expected a multicast group from 224.0.0.0 to 239.255.255.255, got "192.168.1.1"',
  );
  assert.throws(
    () => checkGroup("group", "224.1.1"),
    /expected an IPv4 address/,
  );
  for (const good of ["alpine-2", "localhost", "a.example", "192.168.122.7"]) {
    assert.equal(checkHost("host", good), good);
  }
  for (
    const bad of [
      "",
      "-x",
      "x-",
      "a..b",
      "1.2.3",
      "300.1.1.1",
      "under_score",
      "x".repeat(64),
    ]
  ) {
    assert.throws(() => checkHost("host", bad), UsageError, bad);
  }
});

Deno.test("resolveIpv4: addresses and localhost as they are, .invalid fails without a lookup", async () => {
  assert.equal(await resolveIpv4("10.1.2.3"), "10.1.2.3");
  assert.equal(await resolveIpv4("localhost"), "127.0.0.1");
  await assert.rejects(
    resolveIpv4("no-such-host.invalid"),
    (err) =>
      err instanceof RuntimeError &&
      /unknown host "no-such-host.invalid"/.test(err.message),
  );
});

Deno.test("networkOf: the network that holds an address", () => {
  const networks: LocalNetwork[] = [
    {
      name: "lo",
      address: "127.0.0.1",
      prefix: 8,
      network: "127.0.0.0",
      broadcast: "127.255.255.255",
    },
    {
      name: "eth0",
      address: "192.168.122.7",
      prefix: 24,
      network: "192.168.122.0",
      broadcast: "192.168.122.255",
    },
  ];
  assert.equal(networkOf("192.168.122.255", networks)?.name, "eth0");
  assert.equal(networkOf("127.9.9.9", networks)?.name, "lo");
  assert.equal(networkOf("10.0.0.1", networks), undefined);
});

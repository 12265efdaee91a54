import assert from "node:assert/strict";
import {
  CAN_BUILD_LABS,
  lab,
  labNamespaces,
  tempYaml,
  uniqueLabName,
} from "./_lab.ts";

const ignore = !CAN_BUILD_LABS;

const SMALL = `name: hintlab
network:
  subnet: 10.77.0.0/24
hosts:
  alpine-1: 10.77.0.1
  alpine-2: 10.77.0.2
`;

Deno.test({
  name:
    "lab: every hint carries --file, --name and --lang in force; following it works; 'not up' names the labs that are up",
  ignore,
  async fn() {
    const name = uniqueLabName("h");
    const absent = uniqueLabName("x");
    const file = await tempYaml(SMALL);
    try {
      const up = await lab(["up", "--file", file, "--name", name]);
      assert.equal(up.code, 0, up.stderr);
      const next = up.stdout.match(/^next: (.*)$/m)?.[1];
      assert.equal(
        next,
        `lab exec alpine-1 --file ${file} --name ${name} (a shell on it); ` +
          `lab run --all --file ${file} --name ${name}; ` +
          `lab down --file ${file} --name ${name}`,
      );
      // Follow the exec hint as typed: it reaches this lab's alpine-1.
      const exec = next!.split(" (")[0].split(" ").slice(1);
      const ip = await lab([...exec, "--", "ip", "-4", "-o", "addr"]);
      assert.equal(ip.code, 0, ip.stderr);
      assert.match(ip.stdout, /eth0\s+inet 10\.77\.0\.1\//);

      // In Indonesian, with --lang: the hint keeps --lang too.
      const status = await lab(["status", "--name", absent, "--lang", "id"]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(
        status.stdout,
        new RegExp(
          `^lab "${absent}" tidak menyala \\(yang menyala: .*"${name}".*; nyalakan: lab up --name ${absent} --lang id\\)$`,
          "m",
        ),
      );
      // exec on a lab that is not up: one line naming the labs that are.
      const notUp = await lab(["exec", "alpine-1", "--name", absent]);
      assert.equal(notUp.code, 1);
      assert.match(
        notUp.stderr,
        new RegExp(
          `^lab: error: lab "${absent}" is not up \\(up: .*"${name}".*; create it: lab up --name ${absent}\\)$`,
          "m",
        ),
      );
      const down = await lab(["down", "--name", name]);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(await labNamespaces(name), []);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(file);
    }
  },
});

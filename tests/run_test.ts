import assert from "node:assert/strict";

Deno.test("onStop: the first SIGINT/SIGTERM stops, later ones go to onRepeat", async () => {
  // In a process of its own: signals to the test runner would stop it.
  const script = `
    import { onStop } from "./lib/cli/run.ts";
    const calls = [];
    const until = async (n) => {
      for (let i = 0; i < 500 && calls.length < n; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const stop = onStop((reason) => calls.push("stop " + reason), {
      onRepeat: (signal) => calls.push("repeat " + signal),
    });
    Deno.kill(Deno.pid, "SIGTERM");
    await until(1);
    // Later than a copy of the same Ctrl+C would come.
    await new Promise((resolve) => setTimeout(resolve, 700));
    Deno.kill(Deno.pid, "SIGINT");
    await until(2);
    stop.stop("done");
    stop.dispose();
    console.log(JSON.stringify({ calls, aborted: stop.signal.reason }));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), {
    calls: ["stop SIGTERM", "repeat SIGINT"],
    aborted: "SIGTERM",
  });
});

Deno.test("onStop: one Ctrl+C through deno task (two SIGINTs ms apart) is one stop, even after dispose", async () => {
  const script = `
    import { onStop } from "./lib/cli/run.ts";
    const calls = [];
    const stop = onStop((reason) => calls.push("stop " + reason), {
      onRepeat: (signal) => calls.push("repeat " + signal),
    });
    Deno.kill(Deno.pid, "SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 20));
    Deno.kill(Deno.pid, "SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 50));
    // A role disposes as soon as it stops; the copy may still be on its way.
    stop.dispose();
    Deno.kill(Deno.pid, "SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(JSON.stringify(calls));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), [
    "stop SIGINT",
  ]);
});

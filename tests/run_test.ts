import assert from "node:assert/strict";

Deno.test("onStop: the first SIGINT/SIGTERM stops, later ones go to onRepeat", async () => {
  // In a process of its own: signals to the test runner would stop it.
  const script = `
    import { onStop } from "./lib/run.ts";
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

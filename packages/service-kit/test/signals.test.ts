// Graceful shutdown survives a repeated signal: a supervisor that sends SIGTERM twice (or tsx
// relaying the signal it already forwarded) must not kill the process mid-drain with exit 143.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/slow-shutdown.ts", import.meta.url));

describe("exitOnSignals", () => {
  it("a second SIGTERM (and a SIGINT) during the drain is ignored: the drain finishes and the exit code is 0", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", fixture], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const ready = new Promise<void>((resolve) =>
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("ready")) resolve();
      }),
    );
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    await ready;
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 50));
    child.kill("SIGTERM");
    child.kill("SIGINT");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(out).toContain("drained");
  });
});

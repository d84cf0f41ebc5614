import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only. */
export interface PostgresCluster {
  /** Superuser connection URL to the `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  /**
   * Shuts the server down the way `pg_ctl stop -m fast` does (clients disconnected, data kept),
   * for fault tests: the cluster stays on disk and `resume()` starts it again on the same port.
   */
  halt(): Promise<void>;
  /** Starts a halted server again, same data, same port; resolves once it accepts connections. */
  resume(): Promise<void>;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

/** Finds the directory holding `initdb`/`postgres`, preferring PostgreSQL 15. */
export function findPostgresBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv && existsSync(join(fromEnv, "initdb"))) return fromEnv;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(a) - Number(b));
    const preferred = versions.includes("15") ? "15" : versions.at(-1);
    if (preferred) return join(root, preferred, "bin");
  }
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, "initdb"))) return dir;
  }
  throw new Error(
    "PostgreSQL server binaries (initdb) not found: install PostgreSQL 15 (apt-get install postgresql) or set DATABASE_URL / PG_BIN_DIR",
  );
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

function postgresUid(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

async function waitForReady(port: number, child: ChildProcess, logs: () => string): Promise<void> {
  const { default: pg } = await import("pg");
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited early:\n${logs()}`);
    const client = new pg.Client({
      host: "127.0.0.1",
      port,
      user: "postgres",
      database: "postgres",
    });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Starts a fresh PostgreSQL cluster (initdb in a temp folder, trust auth on 127.0.0.1, fsync off:
 * test data is disposable). Takes about a second.
 *
 * @example
 * const pg = await startPostgresCluster();
 * // ... use pg.url
 * await pg.stop();
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBinDir();
  const base = mkdtempSync(join(tmpdir(), "atlas-pg-"));
  const dataDir = join(base, "data");
  const socketDir = join(base, "sock");
  const owner = postgresUid();
  if (owner) {
    chownSync(base, owner.uid, owner.gid);
    chmodSync(base, 0o700);
  }
  // initdb and postgres refuse to run as root: as root, they run as the `postgres` system user.
  const asUser = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(
    join(bin, "initdb"),
    ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
    { stdio: "pipe", ...asUser },
  );
  mkdirSync(socketDir);
  if (owner) chownSync(socketDir, owner.uid, owner.gid);
  const port = await freePort();
  const args = [
    "-D",
    dataDir,
    "-p",
    String(port),
    "-h",
    "127.0.0.1",
    "-k",
    socketDir,
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
  ];
  let output = "";
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(join(bin, "postgres"), args, {
      stdio: ["ignore", "pipe", "pipe"],
      ...asUser,
    });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    await waitForReady(port, child, () => output);
  };
  const halt = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    // SIGINT = "fast" shutdown (pg_ctl stop -m fast): disconnect clients, no checkpoint wait.
    child.kill("SIGINT");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
  };
  await launch();
  const stop = async () => {
    await halt();
    rmSync(base, { recursive: true, force: true });
  };
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    halt,
    resume: async () => {
      if (child.exitCode === null && child.signalCode === null) return;
      await launch();
    },
    stop,
  };
}

import pg from "pg";

/**
 * Leadership of one singleton job among the instances of a service: a session-level advisory
 * lock held on a dedicated connection (a pooled one would be handed to other queries). The
 * instance that takes it keeps it for as long as its session lives, so a job every instance
 * schedules runs once per period in all, on the leader; when the leader stops or dies, its
 * session ends, the lock goes, and the next instance to ask takes over.
 * Session locks need a session-mode connection (PgBouncer: session pooling), as LISTEN does.
 *
 * @example
 * const leader = new AdvisoryLeader(pool, 0x61746c63);
 * if (await leader.lead()) await runReconciliation();
 * // on shutdown:
 * await leader.release();
 */
export class AdvisoryLeader {
  #client: pg.Client | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly key: number,
  ) {}

  /**
   * Whether this instance leads: true while the session holding the lock is alive (checked with
   * one round trip), otherwise one attempt to take the lock. An unreachable database: false.
   */
  async lead(): Promise<boolean> {
    if (this.#client) {
      try {
        await this.#client.query("SELECT 1");
        return true;
      } catch {
        // The session died (server restart, network): so did the lock; try to take it again.
        await this.release();
      }
    }
    const client = new pg.Client(this.pool.options);
    // An idle session's error must not crash the process: the next lead() notices the loss.
    client.on("error", () => {});
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [this.key]);
      if (rows[0]?.locked === true) {
        this.#client = client;
        return true;
      }
    } catch {
      // Not leading while the database cannot be reached.
    }
    await client.end().catch(() => undefined);
    return false;
  }

  /** Gives leadership up (ends the session, which frees the lock); lead() may take it again. */
  async release(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }
}

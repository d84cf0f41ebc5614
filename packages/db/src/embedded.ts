import { AsyncLocalStorage } from "node:async_hooks";
import type { PGlite, Transaction } from "@electric-sql/pglite";

/** Raw SQL returning rows (structurally runtime.ts's SqlQueryable, without importing it). */
interface SqlQueryable {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
}

/**
 * Transactions on the embedded database, and the code that runs inside them.
 *
 * PGlite serialises every query and transaction on its one connection: while a transaction runs,
 * `db.query` / `db.exec` / `db.transaction` from anywhere else wait for it. Code inside a
 * transaction often queries through another handle of the same database: the outbox consumer's
 * handlers through the service's Prisma client or `database` (service-auth's charge records the
 * PaymentIntent it creates), dunning's retry inside `database.transaction` the same way. From
 * inside the transaction those calls would wait for it forever. So every user of the database
 * goes through {@link routeHeldTransaction}: called from inside a transaction it opened (same async
 * context), a query runs on that transaction, and a nested transaction becomes a savepoint in it.
 *
 * Known limit: Prisma batches `findUnique` calls of one model made in the same tick into one query
 * that runs in the async context of the first caller; a handler's call batched behind one from
 * outside the transaction would wait for it. That needs the same model and tick on a single-user
 * development database; on PostgreSQL (pool) none of this applies.
 */
interface Held {
  db: PGlite;
  tx: Transaction;
  open: boolean;
  savepoints: number;
}

const held = new AsyncLocalStorage<Held>();

/** Opens a transaction on `db` in which `fn` runs as the held one (see the comment at the top). */
function holdTransaction<T>(db: PGlite, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction((tx) => {
    const h: Held = { db, tx, open: true, savepoints: 0 };
    return held.run(h, async () => {
      try {
        return await fn(tx);
      } finally {
        // Work left behind (a timer) must not run in a finished transaction.
        h.open = false;
      }
    });
  });
}

function heldOn(db: PGlite): Held | null {
  const h = held.getStore();
  return h?.open && h.db === db ? h : null;
}

/** A nested transaction inside a held one: a savepoint, released on success, rolled back otherwise. */
async function nested<T>(h: Held, callback: (tx: Transaction) => Promise<T>): Promise<T> {
  h.savepoints += 1;
  const name = `atlas_nested_${h.savepoints}`;
  await h.tx.exec(`SAVEPOINT ${name}`);
  let rollingBack: Promise<void> | null = null;
  const rollBack = () => {
    // Set synchronously: a caller may not await rollback() before it ends the callback (Prisma).
    rollingBack ??= h.tx.exec(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`).then(() => {});
    return rollingBack;
  };
  const tx: Transaction = {
    query: (text, params, options) => h.tx.query(text, params, options),
    sql: (strings, ...params) => h.tx.sql(strings, ...params),
    exec: (text, options) => h.tx.exec(text, options),
    rollback: rollBack,
    listen: (channel, cb) => h.tx.listen(channel, cb),
    get closed() {
      return rollingBack !== null || h.tx.closed;
    },
  };
  try {
    const result = await callback(tx);
    if (rollingBack) await rollingBack;
    else await h.tx.exec(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await rollBack();
    throw error;
  } finally {
    h.savepoints -= 1;
  }
}

const routed = new WeakMap<PGlite, PGlite>();

/**
 * `db` as every client of the embedded database must use it (the Prisma adapter, raw SQL): the
 * same object, except that its transactions are held ones, and `query`, `sql`, `exec` and
 * `transaction` called from inside a held transaction run in it (see the comment at the top).
 */
export function routeHeldTransaction(db: PGlite): PGlite {
  const known = routed.get(db);
  if (known) return known;
  const proxy = new Proxy(db, {
    get(target, prop) {
      const h = () => heldOn(target);
      switch (prop) {
        case "query":
          return ((text, params, options) => (h()?.tx ?? target).query(text, params, options)) as PGlite["query"];
        case "sql":
          return ((strings, ...params) => (h()?.tx ?? target).sql(strings, ...params)) as PGlite["sql"];
        case "exec":
          return ((text, options) => (h()?.tx ?? target).exec(text, options)) as PGlite["exec"];
        case "transaction":
          return (<T>(callback: (tx: Transaction) => Promise<T>) => {
            const current = h();
            return current ? nested(current, callback) : holdTransaction(target, callback);
          }) as PGlite["transaction"];
        default: {
          // PGlite's methods use private fields: they must run on the instance, not the proxy.
          const value = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        }
      }
    },
  });
  routed.set(db, proxy);
  return proxy;
}

/** A LISTEN in progress (structurally @atlas/outbox's OutboxListener). */
export interface EmbeddedListener {
  lost: Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The outbox consumer's access to the embedded database (structurally @atlas/outbox's
 * `OutboxDatabase`): a transaction that holds the single connection for the whole batch (the
 * consumer's savepoints run in it), and PGlite's in-process LISTEN/NOTIFY.
 */
export interface EmbeddedOutbox {
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  listen(channel: string, onNotify: (payload: string | undefined) => void): Promise<EmbeddedListener>;
}

export function embeddedOutbox(db: PGlite): EmbeddedOutbox {
  return {
    transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
      const outer = heldOn(db);
      // A consumer run from inside a held transaction (a test draining from a handler) nests.
      if (outer) return nested(outer, (tx) => fn(queryableOf(tx)));
      return holdTransaction(db, (tx) => fn(queryableOf(tx)));
    },
    async listen(channel, onNotify) {
      const unlisten = await db.listen(channel, (payload) => onNotify(payload));
      let closed = false;
      let end: (value: unknown) => void = () => {};
      const lost = new Promise<unknown>((resolve) => {
        end = resolve;
      });
      return {
        lost,
        async close() {
          if (closed) return;
          closed = true;
          end(undefined);
          await unlisten().catch(() => {});
        },
      };
    },
  };
}

function queryableOf(tx: Transaction): SqlQueryable {
  return {
    query: async <R extends object>(text: string, values: unknown[] = []) => (await tx.query<R>(text, values)).rows,
  };
}

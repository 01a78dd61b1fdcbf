import { createHash } from 'node:crypto';
import { Client } from 'pg';

export interface StatementPreparation {
  /** Runs of a parameterised statement on one connection before it is prepared there; 0: never prepare. */
  threshold: number;
  /** Statements prepared per connection at most: the server keeps each one for the session. */
  capacity?: number;
}

const DEFAULT_CAPACITY = 256;

/** What PostgreSQL answers when a schema change altered the columns a prepared statement returns. */
const RESULT_TYPE_CHANGED = 'cached plan must not change result type';

/** Statements seen but not yet prepared that a connection remembers: their counts restart beyond it. */
const SEEN_PER_CAPACITY = 4;

/**
 * A `*` that expands to a table's columns (`SELECT *`, `t.*`, `RETURNING *`), not `count(*)`
 * nor a product: a prepared statement with one fails once a migration adds a column.
 */
const STAR_EXPANSION = /(?:^|[\s,]|\.)\*\s*(?:,|\bFROM\b|$)/i;

/**
 * Whether a statement's result columns are spelled out (or it returns none), so that a
 * migration adding a column cannot change them under a prepared statement.
 */
export function preparable(text: string): boolean {
  if (!STAR_EXPANSION.test(text) && !/\bRETURNING\s+\*/i.test(text)) return true;
  // `INSERT ... SELECT * FROM unnest(...)` returns no rows.
  return /^\s*(INSERT|UPDATE|DELETE)\b/i.test(text) && !/\bRETURNING\b/i.test(text);
}

/**
 * A `pg` client (given to the pool as its `Client`) that prepares a parameterised statement
 * on its connection once it has run it `threshold` times, as the PostgreSQL JDBC driver does
 * (`prepareThreshold`): PostgreSQL then parses and plans it once per connection instead of
 * on every run, where planning costs as much as executing the short statements of a
 * recognition or a consumer batch. Statements are named after a hash of their text. One whose
 * result columns a schema change altered fails once with "cached plan must not change result
 * type" and runs unprepared on that connection from then on.
 */
export function preparingClient({ threshold, capacity = DEFAULT_CAPACITY }: StatementPreparation): typeof Client {
  return class PreparingClient extends Client {
    /** Runs so far of each statement not yet prepared. */
    private readonly runs = new Map<string, number>();
    /** Statement text -> name, for those prepared on this connection. */
    private readonly prepared = new Map<string, string>();
    /** Statements whose prepared form a schema change broke: their name stays taken on this connection. */
    private readonly refused = new Set<string>();

    override query(config: unknown, values?: unknown, callback?: unknown): never {
      const run = super.query as (...args: unknown[]) => unknown;
      const name = typeof config === 'string' && Array.isArray(values) && values.length > 0 ? this.nameFor(config) : undefined;
      if (!name) return run.call(this, config, values, callback) as never;
      const text = config as string;
      const settle = (error: Error | null) => {
        if (error?.message === RESULT_TYPE_CHANGED) {
          this.prepared.delete(text);
          this.refused.add(text);
        }
      };
      if (typeof callback === 'function') {
        return run.call(this, { name, text, values }, (error: Error | null, result: unknown) => {
          settle(error);
          (callback as (error: Error | null, result: unknown) => void)(error, result);
        }) as never;
      }
      return (run.call(this, { name, text, values }) as Promise<unknown>).catch((error: Error) => {
        settle(error);
        throw error;
      }) as never;
    }

    private nameFor(text: string): string | undefined {
      const name = this.prepared.get(text);
      if (name) return name;
      if (this.prepared.size >= capacity || this.refused.has(text)) return undefined;
      const runs = (this.runs.get(text) ?? 0) + 1;
      if (runs < threshold) {
        if (this.runs.size >= capacity * SEEN_PER_CAPACITY) this.runs.clear();
        this.runs.set(text, runs);
        return undefined;
      }
      this.runs.delete(text);
      if (!preparable(text)) return undefined;
      const prepared = `antq_${createHash('sha1').update(text).digest('base64url')}`;
      this.prepared.set(text, prepared);
      return prepared;
    }
  };
}

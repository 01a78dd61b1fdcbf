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

/** A prepared statement is prepared anew at this many times the runs it had when last prepared. */
const REPLAN_FACTOR = 10;

/** A statement prepared on a connection. */
interface Prepared {
  /** A hash of its text: its name on the server, with the generation after the first (`nameOf`). */
  hash: string;
  generation: number;
  /** Runs since it was first seen. */
  runs: number;
  /** Run at which it is prepared anew. */
  replanAt: number;
  /** Whether a run of this generation succeeded: the server holds it, so it may be deallocated. */
  held: boolean;
}

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
 *
 * PostgreSQL keeps a prepared statement's generic plan until the statistics of its tables
 * change, and where autovacuum is off nothing changes them: a plan made while a table was
 * nearly empty would stay as it grows a thousandfold. So a statement is prepared anew (and
 * the old one deallocated) each time its runs reach ten times what they were when it was
 * last prepared: a plan follows its tables' growth at a cost of a few parses in a lifetime.
 * The old statement is deallocated once the connection is idle outside a transaction.
 */
export function preparingClient({ threshold, capacity = DEFAULT_CAPACITY }: StatementPreparation): typeof Client {
  return class PreparingClient extends Client {
    /** Runs so far of each statement not yet prepared. */
    private readonly runs = new Map<string, number>();
    /** Statement text -> how it is prepared on this connection. */
    private readonly prepared = new Map<string, Prepared>();
    /** Statements whose prepared form a schema change broke: their name stays taken on this connection. */
    private readonly refused = new Set<string>();
    /** Names of statements prepared anew, whose old form is deallocated once the connection is idle. */
    private readonly retired: string[] = [];

    override query(config: unknown, values?: unknown, callback?: unknown): never {
      // The connection runs one query at a time: the caller's waits for the deallocations.
      const deallocating = this.deallocateRetired();
      if (deallocating) {
        const next = deallocating.then(() => this.query(config, values, callback) as unknown);
        return (typeof callback === 'function' ? undefined : next) as never;
      }
      const run = super.query as (...args: unknown[]) => unknown;
      const statement = typeof config === 'string' && Array.isArray(values) && values.length > 0 ? this.statementFor(config) : undefined;
      if (!statement) return run.call(this, config, values, callback) as never;
      const text = config as string;
      const { generation } = statement;
      const name = nameOf(statement);
      const settle = (error: Error | null) => {
        if (!error && statement.generation === generation) statement.held = true;
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
      return (run.call(this, { name, text, values }) as Promise<unknown>).then(
        (result) => {
          settle(null);
          return result;
        },
        (error: Error) => {
          settle(error);
          throw error;
        },
      ) as never;
    }

    private statementFor(text: string): Prepared | undefined {
      const statement = this.prepared.get(text);
      if (statement) {
        statement.runs++;
        if (statement.runs >= statement.replanAt && statement.held) this.prepareAnew(statement);
        return statement;
      }
      if (this.prepared.size >= capacity || this.refused.has(text)) return undefined;
      const runs = (this.runs.get(text) ?? 0) + 1;
      if (runs < threshold) {
        if (this.runs.size >= capacity * SEEN_PER_CAPACITY) this.runs.clear();
        this.runs.set(text, runs);
        return undefined;
      }
      this.runs.delete(text);
      if (!preparable(text)) return undefined;
      const prepared: Prepared = { hash: `antq_${createHash('sha1').update(text).digest('base64url')}`, generation: 0, runs, replanAt: runs * REPLAN_FACTOR, held: false };
      this.prepared.set(text, prepared);
      return prepared;
    }

    /** The next run prepares the statement under its next name; the old one is retired. */
    private prepareAnew(statement: Prepared): void {
      this.retired.push(nameOf(statement));
      statement.generation++;
      statement.replanAt = statement.runs * REPLAN_FACTOR;
      statement.held = false;
    }

    /**
     * Deallocates retired statements, one after the other, ahead of the query about to run
     * (settled when they are), but only while the connection is idle outside a transaction:
     * a DEALLOCATE that fails there (a pooler such as PgBouncer names statements its own way)
     * fails alone, where inside a transaction it would abort the caller's work.
     */
    private deallocateRetired(): Promise<void> | undefined {
      if (!this.retired.length || this.getTransactionStatus() !== 'I' || !(this as unknown as { readyForQuery: boolean }).readyForQuery) return undefined;
      const run = super.query as (text: string) => Promise<unknown>;
      return this.retired.splice(0).reduce<Promise<void>>(
        (done, name) => done.then(() => run.call(this, `DEALLOCATE "${name}"`).then(() => undefined, () => undefined)),
        Promise.resolve(),
      );
    }
  };
}

const nameOf = ({ hash, generation }: Prepared): string => (generation ? `${hash}_g${generation}` : hash);

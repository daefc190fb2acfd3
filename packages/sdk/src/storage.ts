// A plugin that keeps data of its own (the sandbox's inbox) declares its tables as migrations and, when that data
// holds what citizens sent, an erasure hook. The hub runs both: migrations under its migration lock at start,
// erasure inside the transaction that erases a process.

/** SQL against the hub's Postgres: `$1`, `$2`… parameters; the rows a statement returns (empty for others). */
export interface PluginDatabase {
  query<Row extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
}

/** One step of a plugin's schema. Tracked by the hub under "<plugin name>/<name>": never rename or change one that ran. */
export interface PluginMigration {
  name: string;
  up(db: PluginDatabase): Promise<void>;
}

/** The process being erased. */
export interface ErasureTarget {
  processId: string;
  reference: string;
  /** What the hub puts in place of erased text ("[erased]"): use it too, so every copy reads the same. */
  placeholder: string;
}

/**
 * The SQLite schema: one row per write, kine-style. The row id is the revision. The newest row of
 * a name is its current state; a row with `deleted = 1` is a tombstone. `prev_revision` points at
 * the row a write superseded, which is what compaction removes.
 */
export const schemaVersion = 1;

export const pragmas = `
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA foreign_keys = OFF;
PRAGMA wal_autocheckpoint = 1000;
PRAGMA cache_size = -16000;
`;

export const schema = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  lease INTEGER NOT NULL,
  value BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id, deleted);
CREATE INDEX IF NOT EXISTS kv_lease ON kv (lease) WHERE lease != 0;
CREATE TABLE IF NOT EXISTS leases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ttl_ms INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

export interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  lease: number;
  value: Uint8Array;
}

const columns = "id, name, created, deleted, create_revision, prev_revision, lease, value";

export const sql = {
  latest: `SELECT ${columns} FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1`,
  atRevision: `SELECT ${columns} FROM kv WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`,
  /**
   * Newest live row per name in [start, end) as of a revision, a page at a time. The grouped
   * subquery reads only the covering index (SQLite takes the bare `deleted` from the MAX(id) row);
   * CROSS JOIN keeps it the outer loop, so rows come out in name order without a sort.
   */
  listRange: `SELECT ${columns} FROM (
      SELECT MAX(id) AS mid, deleted AS d FROM kv
      WHERE name >= ? AND name < ? AND id <= ? GROUP BY name HAVING d = 0 ORDER BY name LIMIT ?
    ) CROSS JOIN kv ON id = mid`,
  listFrom: `SELECT ${columns} FROM (
      SELECT MAX(id) AS mid, deleted AS d FROM kv
      WHERE name >= ? AND id <= ? GROUP BY name HAVING d = 0 ORDER BY name LIMIT ?
    ) CROSS JOIN kv ON id = mid`,
  countRange: `SELECT COUNT(*) AS n FROM (
      SELECT MAX(id), deleted AS d FROM kv WHERE name >= ? AND name < ? GROUP BY name HAVING d = 0)`,
  countFrom: `SELECT COUNT(*) AS n FROM (
      SELECT MAX(id), deleted AS d FROM kv WHERE name >= ? GROUP BY name HAVING d = 0)`,
  /** Rows after a revision, with the rows they superseded, for replaying a watch. */
  changesAfter: `SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision,
      k.lease, k.value, p.id AS p_id, p.create_revision AS p_create_revision, p.lease AS p_lease,
      p.value AS p_value
    FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision
    WHERE k.id > ? AND k.id <= ? AND k.name >= ? AND (? = '' OR k.name < ?) ORDER BY k.id LIMIT ?`,
  sequence: `SELECT seq FROM sqlite_sequence WHERE name = 'kv'`,
  /** Names with a row after a name, in order, a page at a time (the name index alone). */
  namesAfter: `SELECT DISTINCT name FROM kv WHERE name > ? ORDER BY name LIMIT ?`,
  metaGet: `SELECT value FROM meta WHERE key = ?`,
  metaSet: `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  leasesAll: `SELECT id, ttl_ms, expires_at FROM leases`,
  leaseSequence: `SELECT seq FROM sqlite_sequence WHERE name = 'leases'`,
  leaseKeys: `SELECT DISTINCT name FROM kv WHERE lease = ? ORDER BY name`,
} as const;

/** The statements of the writer thread (`writer.ts`), the only connection that writes. */
export const writerSql = {
  insert: `INSERT INTO kv (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  metaSet: sql.metaSet,
  compactSuperseded: `DELETE FROM kv WHERE id IN (
      SELECT prev_revision FROM kv WHERE id > ? AND id <= ? AND prev_revision != 0)`,
  compactTombstones: `DELETE FROM kv WHERE deleted = 1 AND id > ? AND id <= ?`,
  leaseInsert: `INSERT INTO leases (id, ttl_ms, expires_at) VALUES (?, ?, ?)`,
  leaseTouch: `UPDATE leases SET expires_at = ? WHERE id = ?`,
  leaseDelete: `DELETE FROM leases WHERE id = ?`,
} as const;

/**
 * Structured logging: one line per record, `key=value` pairs (logfmt), always with a level and
 * the component. `BOSUN_LOG_LEVEL` (debug|info|warn|error) sets the threshold; `BOSUN_LOG_FORMAT=json`
 * switches to JSON lines.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose records carry these fields too. */
  with(fields: LogFields): Logger;
}

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly format?: "logfmt" | "json";
  readonly sink?: LogSink;
}

function envLevel(): LogLevel {
  const v = process.env.BOSUN_LOG_LEVEL;
  return v === "debug" || v === "info" || v === "warn" || v === "error" ? v : "info";
}

function formatValue(v: unknown): string {
  if (v instanceof Error) v = v.message;
  const s = typeof v === "string" ? v : JSON.stringify(v);
  if (s === undefined) return '""';
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

export function createLogger(component: string, options: LoggerOptions = {}): Logger {
  const threshold = rank[options.level ?? envLevel()];
  const json = (options.format ?? process.env.BOSUN_LOG_FORMAT) === "json";
  const sink = options.sink ?? process.stderr;
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (rank[level] < threshold) return;
      const record: LogFields = { time: new Date().toISOString(), level, component, msg, ...base };
      if (fields) Object.assign(record, fields);
      for (const [k, v] of Object.entries(record)) if (v instanceof Error) record[k] = v.message;
      const line = json
        ? JSON.stringify(record)
        : Object.entries(record)
            .map(([k, v]) => `${k}=${formatValue(v)}`)
            .join(" ");
      sink.write(`${line}\n`);
    };
    return {
      debug: (m, f) => emit("debug", m, f),
      info: (m, f) => emit("info", m, f),
      warn: (m, f) => emit("warn", m, f),
      error: (m, f) => emit("error", m, f),
      with: (fields) => make({ ...base, ...fields }),
    };
  };
  return make({});
}

/** A logger that drops everything, for tests and libraries used quietly. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  with: () => silentLogger,
};

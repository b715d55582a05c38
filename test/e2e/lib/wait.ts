/**
 * Waiting in end-to-end tests: poll until a condition holds, and a plain HTTP GET with a timeout.
 */
import { get } from "node:http";

export type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/**
 * Calls `fn` every 150 ms until it returns a truthy value, which it returns. A throw counts as
 * "not yet"; after `ms` the test fails naming `what` and the last value or error seen.
 */
export async function until<T>(
  what: string,
  fn: () => Promise<T>,
  ms = 60_000,
): Promise<Truthy<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as Truthy<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (${ms} ms; last: ${last})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** GETs `url` and resolves with the body, whatever the status; rejects after 3 s without an answer. */
export function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 3000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve(body));
    });
    req.once("timeout", () => req.destroy(new Error("timeout")));
    req.once("error", reject);
  });
}

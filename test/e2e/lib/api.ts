/**
 * A raw HTTPS client for end-to-end tests that must send exactly what they choose (bad bodies,
 * odd content types), authenticated with the admin certificate from a server's data dir.
 */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export class ApiClient {
  readonly #port: number;
  readonly #ca: Buffer;
  readonly #cert: Buffer;
  readonly #key: Buffer;

  constructor(dataDir: string, port: number) {
    const tls = join(dataDir, "server", "tls");
    this.#port = port;
    this.#ca = readFileSync(join(tls, "ca.crt"));
    this.#cert = readFileSync(join(tls, "admin.crt"));
    this.#key = readFileSync(join(tls, "admin.key"));
  }

  /** Opens a watch and collects its events until `until` returns true or the stream ends. */
  watch(
    path: string,
    until: (events: Array<{ type: string; object: any }>) => boolean = () => false,
    timeoutMs = 15_000,
  ): Promise<{ status: number; events: Array<{ type: string; object: any }>; ended: boolean }> {
    return new Promise((resolve, reject) => {
      const events: Array<{ type: string; object: any }> = [];
      let buffer = "";
      const req = request(
        {
          host: "127.0.0.1",
          port: this.#port,
          method: "GET",
          path,
          ca: this.#ca,
          cert: this.#cert,
          key: this.#key,
        },
        (res) => {
          const timer = setTimeout(() => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, events, ended: false });
          }, timeoutMs);
          res.on("data", (d: Buffer) => {
            buffer += d.toString();
            let nl = buffer.indexOf("\n");
            while (nl >= 0) {
              events.push(JSON.parse(buffer.slice(0, nl)));
              buffer = buffer.slice(nl + 1);
              nl = buffer.indexOf("\n");
            }
            if (until(events)) {
              clearTimeout(timer);
              req.destroy();
              resolve({ status: res.statusCode ?? 0, events, ended: false });
            }
          });
          res.on("end", () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, events, ended: true });
          });
        },
      );
      req.once("error", (err) => {
        if (!req.destroyed) reject(err);
      });
      req.end();
    });
  }

  send(
    method: string,
    path: string,
    body?: string | Buffer,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: this.#port,
          method,
          path,
          ca: this.#ca,
          cert: this.#cert,
          key: this.#key,
          headers: {
            ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: text,
              json: () => JSON.parse(text),
            });
          });
        },
      );
      req.once("error", reject);
      req.end(body);
    });
  }
}

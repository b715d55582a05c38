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
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON.
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

/**
 * Unary gRPC calls over HTTP/2 on a unix socket: all the gRPC that CRI needs, on `node:http2`.
 * (grpc-js, with its channels, resolvers, load balancers and channelz, cost the agent ~10 MiB of
 * its resident memory for the same calls; ADR 11.)
 *
 * A call is one POST to `/<package>.<Service>/<Method>` with `content-type: application/grpc`,
 * `te: trailers` and a `grpc-timeout`; request and response bodies are one length-prefixed message
 * each (a flag byte, 0 = uncompressed, then a 4-byte big-endian length). The outcome is
 * `grpc-status` (and the percent-encoded `grpc-message`) in the trailers, or in the headers of a
 * trailers-only answer. Connection failures are Unavailable, as in every gRPC library, and the
 * next call connects again.
 */
import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from "node:http2";
import { connect as connectUnix } from "node:net";

/** gRPC status codes by number (grpc/doc/statuscodes.md). */
export const GRPC_STATUS_NAMES: readonly string[] = [
  "OK",
  "Canceled",
  "Unknown",
  "InvalidArgument",
  "DeadlineExceeded",
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "ResourceExhausted",
  "FailedPrecondition",
  "Aborted",
  "OutOfRange",
  "Unimplemented",
  "Internal",
  "Unavailable",
  "DataLoss",
  "Unauthenticated",
];

/** A call that did not end in OK: the status by name and the server's message. */
export class GrpcCallError extends Error {
  readonly status: string;
  readonly details: string;

  constructor(status: string, details: string, options?: ErrorOptions) {
    super(`${status}: ${details}`, options);
    this.name = "GrpcCallError";
    this.status = status;
    this.details = details;
  }
}

/** The gRPC spec's mapping for answers without grpc-status (a proxy's or a wrong server's). */
function statusOfHttp(code: number): string {
  if (code === 400) return "Internal";
  if (code === 401) return "Unauthenticated";
  if (code === 403) return "PermissionDenied";
  if (code === 404) return "Unimplemented";
  if (code === 429 || code === 502 || code === 503 || code === 504) return "Unavailable";
  return "Unknown";
}

/** `grpc-timeout`: at most 8 digits and a unit. */
export function grpcTimeout(ms: number): string {
  const m = Math.max(1, Math.ceil(ms));
  return m < 1e8 ? `${m}m` : `${Math.min(99_999_999, Math.ceil(m / 1000))}S`;
}

/** Length-prefixes one uncompressed message. */
export function frameMessage(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(5 + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, 5);
  return framed;
}

/** The one message of a unary response body; throws GrpcCallError when it is not one. */
export function unframeMessage(body: Buffer): Buffer {
  if (body.length < 5) throw new GrpcCallError("Internal", "response carried no message");
  if (body[0] !== 0) throw new GrpcCallError("Internal", "compressed response not requested");
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length)
    throw new GrpcCallError("Internal", `response of ${body.length} bytes frames ${length}`);
  return body.subarray(5);
}

function decodeMessage(raw: unknown): string {
  if (typeof raw !== "string") return "";
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export interface GrpcUnaryOptions {
  /** Largest response message accepted (upstream kubelet: 16 MiB). */
  readonly maxReceiveBytes?: number;
}

/** One HTTP/2 connection to a unix socket, made on first use and again after it drops. */
export class GrpcUnixChannel {
  readonly socket: string;
  readonly #maxReceive: number;
  #session: ClientHttp2Session | undefined;
  #closed = false;

  constructor(socket: string, options: GrpcUnaryOptions = {}) {
    this.socket = socket;
    this.#maxReceive = options.maxReceiveBytes ?? 16 << 20;
  }

  #connect(): ClientHttp2Session {
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = connect("http://localhost", {
      createConnection: () => connectUnix(this.socket),
    });
    // Failures reach each call through its stream; the session only has to be forgotten.
    session.on("error", () => {});
    session.once("close", () => {
      if (this.#session === session) this.#session = undefined;
    });
    // An idle connection does not keep the process alive; a call's deadline timer does.
    session.unref();
    this.#session = session;
    return session;
  }

  /** Calls `path` (e.g. `/runtime.v1.RuntimeService/Version`) with one encoded message. */
  call(path: string, message: Uint8Array, timeoutMs: number): Promise<Buffer> {
    if (this.#closed) return Promise.reject(new GrpcCallError("Canceled", "channel closed"));
    return new Promise<Buffer>((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = this.#connect().request(
          {
            ":method": "POST",
            ":path": path,
            "content-type": "application/grpc",
            te: "trailers",
            "grpc-timeout": grpcTimeout(timeoutMs),
          },
          { endStream: false },
        );
      } catch (err) {
        reject(new GrpcCallError("Unavailable", (err as Error).message, { cause: err }));
        return;
      }
      let settled = false;
      const settle = (err: GrpcCallError | undefined, body?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
        if (err) reject(err);
        else resolve(body!);
      };
      const timer = setTimeout(
        () => settle(new GrpcCallError("DeadlineExceeded", "context deadline exceeded")),
        timeoutMs,
      );
      let httpStatus = 0;
      let status: unknown;
      let statusMessage: unknown;
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("response", (headers) => {
        httpStatus = Number(headers[":status"]);
        status = headers["grpc-status"];
        statusMessage = headers["grpc-message"];
      });
      stream.on("trailers", (trailers) => {
        status = trailers["grpc-status"];
        statusMessage = trailers["grpc-message"];
      });
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.#maxReceive + 5) {
          settle(
            new GrpcCallError(
              "ResourceExhausted",
              `received message larger than max (${size - 5} vs. ${this.#maxReceive})`,
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      stream.on("error", (err) =>
        settle(new GrpcCallError("Unavailable", err.message, { cause: err })),
      );
      stream.on("close", () => {
        if (settled) return;
        if (status === undefined) {
          settle(
            httpStatus
              ? new GrpcCallError(statusOfHttp(httpStatus), `HTTP status ${httpStatus}`)
              : new GrpcCallError("Unavailable", "connection closed before a response"),
          );
          return;
        }
        const code = Number(status);
        if (code !== 0) {
          settle(
            new GrpcCallError(GRPC_STATUS_NAMES[code] ?? "Unknown", decodeMessage(statusMessage)),
          );
          return;
        }
        try {
          settle(undefined, unframeMessage(Buffer.concat(chunks, size)));
        } catch (err) {
          settle(err as GrpcCallError);
        }
      });
      stream.end(frameMessage(message));
    });
  }

  close(): void {
    this.#closed = true;
    this.#session?.close();
    this.#session = undefined;
  }
}

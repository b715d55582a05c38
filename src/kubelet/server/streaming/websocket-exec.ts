/**
 * Exec and attach for WebSocket clients (`v5.channel.k8s.io`, `v4.channel.k8s.io`), translated to
 * a SPDY connection to the runtime's streaming server, as upstream's API server translates them
 * for kubelets (`StreamTranslatorHandler`): channel 0 feeds the stdin stream (v5's `ff 00` half-
 * closes it, which `kubectl cp` and `exec -i` rely on), stdout and stderr come back on channels
 * 1 and 2, resize messages go to the resize stream, and the runtime's status (exit code) ends the
 * session on channel 3, followed by a normal close.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../../../machinery/log.ts";
import type { StreamOptions } from "../../cri/types.ts";
import { Channel, V4, V5 } from "./channel-protocols.ts";
import { writeHttpError } from "./http-error.ts";
import { SpdySession, type SpdyStream } from "./spdy/session.ts";
import { StreamUpgradeError, upgradeToSpdy } from "./spdy-upgrade.ts";

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 64 << 20,
  handleProtocols: (offered) => (offered.has(V5) ? V5 : offered.has(V4) ? V4 : false),
});

const success = JSON.stringify({ metadata: {}, status: "Success" });
const failure = (message: string) =>
  JSON.stringify({ metadata: {}, status: "Failure", message, reason: "InternalError", code: 500 });

/**
 * What one runtime stream delivers, held until the relay takes it. The runtime starts the process
 * as soon as it has answered every stream, so its replies, the first output and even the exit
 * status can arrive together, before the WebSocket exists; a listener added later would miss them
 * (short execs such as `cat /etc/hostname` then printed nothing).
 */
class Held {
  #chunks: Buffer[] = [];
  #ended = false;
  #onData?: (d: Buffer) => void;
  #onEnd?: () => void;

  constructor(stream: SpdyStream) {
    stream.on("data", (d) => (this.#onData ? this.#onData(d) : this.#chunks.push(d)));
    stream.on("end", () => {
      this.#ended = true;
      this.#onEnd?.();
    });
  }

  /** Delivers what arrived so far, then everything that follows. */
  take(onData: (d: Buffer) => void, onEnd: () => void = () => {}): void {
    this.#onData = onData;
    this.#onEnd = onEnd;
    for (const d of this.#chunks) onData(d);
    this.#chunks = [];
    if (this.#ended) onEnd();
  }
}

interface RuntimeStreams {
  readonly session: SpdySession;
  /** Set when the connection to the runtime ended (the error, if it failed). */
  readonly ended: { err: Error | undefined } | undefined;
  readonly error: Held;
  readonly stdin: SpdyStream | undefined;
  readonly stdout: Held | undefined;
  readonly stderr: Held | undefined;
  readonly resize: SpdyStream | undefined;
}

/** Opens the runtime side: the SPDY connection and one stream per channel, as client-go does. */
async function openRuntimeStreams(url: string, o: StreamOptions): Promise<RuntimeStreams> {
  const { socket, head } = await upgradeToSpdy(url, V4);
  const session = new SpdySession(socket, { client: true, head });
  const open = (type: string, wanted: boolean) =>
    wanted ? session.open({ streamtype: type }) : undefined;
  const error = session.open({ streamtype: "error" });
  const stdin = open("stdin", o.stdin);
  const stdout = open("stdout", o.stdout);
  const stderr = open("stderr", o.stderr && !o.tty);
  const resize = open("resize", o.tty);
  const streams = {
    session,
    ended: undefined as { err: Error | undefined } | undefined,
    error: new Held(error),
    stdin,
    stdout: stdout && new Held(stdout),
    stderr: stderr && new Held(stderr),
    resize,
  };
  session.once("close", (err) => (streams.ended = { err }));
  const opened = [error, stdin, stdout, stderr, resize];
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all(opened.map((s) => s?.replied)),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("the runtime did not accept the streams")),
          30_000,
        );
      }),
    ]);
  } catch (err) {
    session.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return streams;
}

export async function serveWebSocketExec(args: {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly url: string;
  readonly protocol: typeof V5 | typeof V4;
  readonly options: StreamOptions;
  readonly log: Logger;
}): Promise<void> {
  const { req, socket, head, options, log } = args;
  let rt: RuntimeStreams;
  try {
    rt = await openRuntimeStreams(args.url, options);
  } catch (err) {
    const status = err instanceof StreamUpgradeError ? err.status : 500;
    writeHttpError(socket, status, err instanceof StreamUpgradeError ? err.body : String(err));
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => relay(ws, rt, args.protocol, options, log));
  // handleUpgrade answers 400 itself for a malformed handshake; the runtime side then goes too.
  socket.once("close", () => rt.session.close());
}

function relay(
  ws: WebSocket,
  rt: RuntimeStreams,
  protocol: string,
  options: StreamOptions,
  log: Logger,
): void {
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  // Upstream opens with an empty message on the lowest writable channel.
  if (options.stdout) send(Channel.Stdout, Buffer.alloc(0));
  rt.stdout?.take((d) => send(Channel.Stdout, d));
  rt.stderr?.take((d) => send(Channel.Stderr, d));
  let finished = false;
  const finish = (statusJson: string) => {
    if (finished) return;
    finished = true;
    send(Channel.Status, Buffer.from(statusJson));
    if (ws.readyState === ws.OPEN) ws.close(1000);
    rt.session.close();
  };
  const status: Buffer[] = [];
  rt.error.take(
    (d) => status.push(d),
    () => {
      const text = Buffer.concat(status).toString();
      finish(text.trim() === "" ? success : text);
    },
  );
  const lost = (err: Error | undefined) =>
    finish(failure(err ? `the stream ended: ${err.message}` : "the stream ended"));
  if (rt.ended) lost(rt.ended.err);
  else rt.session.on("close", lost);
  ws.on("message", (data: Buffer, isBinary) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0];
    const payload = data.subarray(1);
    if (channel === Channel.Stdin) rt.stdin?.write(payload);
    else if (channel === Channel.Resize) rt.resize?.write(payload);
    else if (channel === Channel.Close && protocol === V5 && payload[0] === Channel.Stdin) {
      rt.stdin?.end();
    }
  });
  ws.on("close", () => {
    finished = true;
    rt.session.close();
  });
  ws.on("error", (err) => log.debug("websocket error", { err }));
}

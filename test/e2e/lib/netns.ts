/**
 * Looking at a local cluster's node from the host: run a short command in the node's network
 * namespace (`nsenter --net`, which leaves mounts and cgroups alone), and a loop of HTTP GETs
 * from there whose answers arrive with the time they were made, for latency measurements.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";

/** Runs `cmd` in the node's network namespace; its stdout ("" when it failed to run). */
export function inNetns(netns: string, cmd: string, args: readonly string[]): string {
  const r = spawnSync("nsenter", [`--net=/run/netns/${netns}`, cmd, ...args], {
    timeout: 10_000,
  });
  return r.stdout?.toString() ?? "";
}

export interface Answer {
  /** When the request was made (ms since the epoch, the host's clock). */
  readonly at: number;
  /** The body's last line, "" when the request failed. */
  readonly body: string;
}

/**
 * Four loops of HTTP GETs to `url` from the node's namespace, each a new connection (so a
 * Service picks an endpoint for each), until stopped. A Node process rather than curl in a shell
 * loop: a new endpoint is one of several, found by chance, so the sampling rate bounds how soon
 * it can be seen answering (curl managed one request per ~80 ms on a busy machine).
 */
const pollLoop = `
const url = process.argv[1];
const get = () => {
  const at = Date.now();
  let done = false;
  const answer = (body) => {
    if (done) return;
    done = true;
    process.stdout.write(at + " " + (body.trim().split("\\n").pop() ?? "") + "\\n");
    setTimeout(get, 5);
  };
  const req = require("node:http").get(url, { agent: false, timeout: 1000 }, (res) => {
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (d) => (body += d));
    res.on("end", () => answer(body));
    res.on("error", () => answer(""));
  });
  req.on("timeout", () => req.destroy());
  req.on("error", () => answer(""));
};
for (let i = 0; i < 4; i++) get();
`;

export class HttpPoller {
  readonly answers: Answer[] = [];
  readonly #child: ChildProcess;

  constructor(netns: string, url: string) {
    this.#child = spawn(
      "nsenter",
      [`--net=/run/netns/${netns}`, process.execPath, "-e", pollLoop, url],
      { stdio: ["ignore", "pipe", "ignore"], detached: true },
    );
    let buffer = "";
    this.#child.stdout!.on("data", (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        const [at, ...body] = line.split(" ");
        this.answers.push({ at: Number(at), body: body.join(" ").trim() });
      }
    });
  }

  /** The first time `body` answered at or after `since`. */
  firstAnswer(body: string, since = 0): number | undefined {
    let first: number | undefined;
    for (const a of this.answers)
      if (a.body === body && a.at >= since && (first === undefined || a.at < first)) first = a.at;
    return first;
  }

  /** The last time `body` answered. */
  lastAnswer(body: string): number | undefined {
    let last: number | undefined;
    for (const a of this.answers)
      if (a.body === body && (last === undefined || a.at > last)) last = a.at;
    return last;
  }

  stop(): Promise<void> {
    if (this.#child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.#child.once("exit", () => resolve());
      process.kill(-this.#child.pid!, "SIGKILL");
    });
  }
}

/**
 * A machine beyond the host: its own network namespace on a /30 link to the host (198.18.0.0/15,
 * the benchmarking range), with no route back to the cluster LAN, running a TCP server that
 * answers "from <client address>". Reaching it from a cluster proves the host masquerades the
 * LAN. Names are unique per process; `destroy` removes everything.
 */
export class OutsideHost {
  readonly netns: string;
  readonly link: string;
  readonly hostIP: string;
  readonly ip: string;
  readonly port = 7777;
  #server: ChildProcess | undefined;

  constructor() {
    const id = process.pid.toString(36);
    const k = process.pid % 250;
    this.netns = `bosun-outside-${id}`;
    this.link = `bout${id}`.slice(0, 15);
    this.hostIP = `198.18.${k}.1`;
    this.ip = `198.18.${k}.2`;
  }

  async create(): Promise<void> {
    const ip = (...args: string[]) => {
      const r = spawnSync("ip", args);
      if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
    };
    ip("netns", "add", this.netns);
    ip("link", "add", this.link, "type", "veth", "peer", "name", "eth0", "netns", this.netns);
    ip("addr", "add", `${this.hostIP}/30`, "dev", this.link);
    ip("link", "set", this.link, "up");
    ip("-n", this.netns, "addr", "add", `${this.ip}/30`, "dev", "eth0");
    ip("-n", this.netns, "link", "set", "eth0", "up");
    const script = `require("node:net").createServer((s) => s.end("from " + s.remoteAddress + "\\n")).listen(${this.port}, "${this.ip}", () => console.log("listening"))`;
    const server = spawn(
      "nsenter",
      [`--net=/run/netns/${this.netns}`, process.execPath, "-e", script],
      {
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("exit", (code) => reject(new Error(`outside server exited ${code}`)));
      server.stdout!.once("data", () => resolve());
    });
  }

  destroy(): void {
    this.#server?.kill("SIGKILL");
    spawnSync("ip", ["link", "delete", this.link]);
    spawnSync("ip", ["netns", "delete", this.netns]);
  }
}

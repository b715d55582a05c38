/**
 * Runs the built `bosun server` as a child process on a free port with its own data dir, and
 * drives it with the pinned kubectl. Every test that needs a control plane uses this.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configFromKubeconfig, RestClient } from "../../../src/client/rest-client.ts";
import { type PidLock, tryPidLock } from "../../../src/machinery/pid-lock.ts";
import { freePort } from "../../../src/storage/testing/etcd-harness.ts";
import { type KubectlVersion, kubectlPath } from "./tools.ts";
import { until } from "./wait.ts";

const bosun = fileURLToPath(new URL("../../../bin/bosun.js", import.meta.url));

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, collecting its output. */
export function run(
  cmd: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    // A command that exits without reading its input closes the pipe: EPIPE is not a failure.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

export interface ServerOptions {
  readonly args?: readonly string[];
  readonly dataDir?: string;
  readonly port?: number;
  readonly kubectl?: KubectlVersion;
  /** Run this machine's node too (containerd, kubelet): omit --disable-agent. */
  readonly agent?: boolean;
}

/**
 * A lock across test processes (a pid file; a dead owner's is taken over), so that test files
 * running side by side put one node on the host at a time.
 */
const hostNodeLock = {
  path: join(tmpdir(), "bosun-e2e-host-node.lock"),
  held: undefined as PidLock | undefined,
  async acquire(): Promise<void> {
    for (;;) {
      const lock = tryPidLock(this.path);
      if (lock && !("owner" in lock)) {
        this.held = lock;
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  },
  release(): void {
    this.held?.release();
    this.held = undefined;
  },
};

export class TestServer {
  readonly dataDir: string;
  readonly port: number;
  readonly kubeconfig: string;
  readonly kubectlBin: string;
  readonly args: readonly string[];
  /** Runs this machine's node (containerd, kubelet) too. */
  readonly agent: boolean;
  process: ChildProcess | undefined;
  log = "";
  #ownDir: boolean;

  private constructor(options: ServerOptions, dataDir: string, port: number, ownDir: boolean) {
    this.dataDir = dataDir;
    this.port = port;
    this.kubeconfig = join(dataDir, "admin.kubeconfig");
    this.kubectlBin = kubectlPath(
      options.kubectl ?? (process.env.BOSUN_E2E_KUBECTL as KubectlVersion) ?? "1.34",
    );
    const args = options.args ?? [];
    // Test servers run side by side: their kubelets take free ports instead of 10250.
    const kubeletPort = args.includes("--kubelet-port") ? [] : ["--kubelet-port", "0"];
    this.args = [...(options.agent ? kubeletPort : ["--disable-agent"]), ...args];
    this.#ownDir = ownDir;
    this.agent = options.agent ?? false;
  }

  static async start(options: ServerOptions = {}): Promise<TestServer> {
    // Nodes on the host share its pod bridge (cni0) and pod network (10.244.0.0/24, each node's
    // IPAM handing out .2 first): two at once would give two pods one address. One at a time.
    if (options.agent) await hostNodeLock.acquire();
    const ownDir = options.dataDir === undefined;
    const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), "bosun-e2e-"));
    try {
      const server = new TestServer(options, dir, options.port ?? (await freePort()), ownDir);
      await server.launch();
      return server;
    } catch (err) {
      if (options.agent) hostNodeLock.release();
      throw err;
    }
  }

  /**
   * Starts the process and waits for /readyz, then for the `default` ServiceAccount (created by
   * the controller manager a moment later; a pod created before it is refused, as upstream).
   */
  async launch(): Promise<void> {
    if (this.process && this.process.exitCode === null) {
      // A test that failed before its stop: a second server would answer on the first's port.
      throw new Error("bosun server is already running; stop it first");
    }
    const child = spawn(
      process.execPath,
      [
        bosun,
        "server",
        "--data-dir",
        this.dataDir,
        "--https-port",
        String(this.port),
        ...this.args,
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, BOSUN_LOG_LEVEL: "info" } },
    );
    running.add(child);
    child.once("exit", () => running.delete(child));
    this.process = child;
    child.stdout!.on("data", (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!(await this.ready())) {
      if (child.exitCode !== null)
        throw new Error(`bosun server exited ${child.exitCode}:\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`bosun server not ready in 30 s:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const client = new RestClient(configFromKubeconfig(this.kubeconfig, "e2e"));
    try {
      await until(
        "the default ServiceAccount",
        () => client.get("/api/v1/namespaces/default/serviceaccounts/default"),
        30_000,
      );
    } finally {
      client.close();
    }
  }

  ready(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: this.port,
          path: "/readyz",
          rejectUnauthorized: false,
          timeout: 1000,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200 && existsSync(this.kubeconfig));
        },
      );
      req.once("error", () => resolve(false));
      req.once("timeout", () => req.destroy());
      req.end();
    });
  }

  /** Sends SIGTERM and returns the exit code. */
  async stop(): Promise<number> {
    const child = this.process;
    if (!child || child.exitCode !== null) return child?.exitCode ?? 0;
    const exited = new Promise<number>((r) => child.once("exit", (code) => r(code ?? 128)));
    child.kill("SIGTERM");
    // A server that does not exit on SIGTERM is a bug to report, not a test run to hang.
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<"hung">((r) => (timer = setTimeout(() => r("hung"), 30_000)));
    const code = await Promise.race([exited, hung]);
    clearTimeout(timer);
    this.process = undefined;
    if (code === "hung") {
      child.kill("SIGKILL");
      await exited;
      const tail = this.log.split("\n").slice(-40).join("\n");
      throw new Error(`bosun server did not exit within 30 s of SIGTERM; last lines:\n${tail}`);
    }
    return code;
  }

  /**
   * Stops the server and removes what it made. Pods outlive a stopped agent (as upstream's
   * kubelet leaves them), so a node's leftover containers, shims, mounts and run dir go too.
   */
  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      // Even after a hung server (killed by stop): its node's pods must not outlive the test.
      try {
        if (this.agent) await (await import("./node-cleanup.ts")).cleanupNode(this.dataDir);
        if (this.#ownDir) rmSync(this.dataDir, { recursive: true, force: true });
      } finally {
        if (this.agent) hostNodeLock.release();
      }
    }
  }

  kubectl(args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
    return run(this.kubectlBin, ["--kubeconfig", this.kubeconfig, ...args], {
      ...options,
      env: { ...process.env, KUBECONFIG: "", HOME: this.dataDir, ...(options.env ?? {}) },
    });
  }

  /** Runs kubectl and fails with its stderr unless it succeeds. */
  async k(...args: string[]): Promise<string> {
    const r = await this.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** Runs kubectl with `-o json` and parses the output. */
  async json<T = Record<string, any>>(...args: string[]): Promise<T> {
    return JSON.parse(await this.k(...args, "-o", "json")) as T;
  }
}

/**
 * Reads a pod's containers from the runtime as `ContainerRecord`s grouped by container name,
 * newest first. Statuses of exited and running containers do not change until their state does,
 * so they are cached by id and the runtime is asked again only when ListContainers shows a new
 * state. The termination message of an exited container is read here (upstream
 * `getTerminationMessage`): the file behind terminationMessagePath, or with
 * FallbackToLogsOnError and a failure, the end of its log.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isCriError } from "../cri/errors.ts";
import type { ContainerStatus, RuntimeService } from "../cri/types.ts";
import { type ContainerRecord, containerRecord, newestFirst } from "./container-status.ts";
import { podUidLabel, terminationMessagePolicyAnnotation } from "./labels.ts";

const maxMessageBytes = 4096;
const fallbackLines = 80;
const fallbackBytes = 2048;

/** The content of CRI log lines (`<time> <stream> <tag> <content>`), partial lines joined. */
export function logContent(text: string): string {
  let out = "";
  for (const line of text.split("\n")) {
    const m = /^(\S+) (stdout|stderr) (\S+) (.*)$/.exec(line);
    if (!m) continue;
    out += m[4] + (m[3]!.split(":")[0] === "P" ? "" : "\n");
  }
  return out;
}

function tail(text: string, lines: number, bytes: number): string {
  const last = text
    .split("\n")
    .slice(-lines - 1)
    .join("\n");
  return Buffer.byteLength(last) > bytes ? Buffer.from(last).subarray(-bytes).toString() : last;
}

function terminationMessage(
  s: ContainerStatus,
  podDir: string,
  name: string,
  restartCount: number,
) {
  const file = join(podDir, "containers", name, String(restartCount));
  if (existsSync(file)) {
    const text = readFileSync(file).subarray(0, maxMessageBytes).toString();
    if (text) return text;
  }
  const policy = s.annotations[terminationMessagePolicyAnnotation];
  if (
    policy === "FallbackToLogsOnError" &&
    s.exit_code !== 0 &&
    s.log_path &&
    existsSync(s.log_path)
  ) {
    return tail(logContent(readFileSync(s.log_path, "utf8")), fallbackLines, fallbackBytes);
  }
  return "";
}

export async function readContainerRecords(
  runtime: RuntimeService,
  uid: string,
  cache: Map<string, ContainerRecord>,
  podDir: string,
): Promise<Map<string, ContainerRecord[]>> {
  const listed = await runtime.listContainers({ label_selector: { [podUidLabel]: uid } });
  const records: ContainerRecord[] = [];
  for (const c of listed) {
    const cached = cache.get(c.id);
    if (cached && cached.state === c.state && c.state !== "CONTAINER_CREATED") {
      records.push(cached);
      continue;
    }
    let s: ContainerStatus;
    try {
      s = await runtime.containerStatus(c.id);
    } catch (err) {
      if (isCriError(err, "NotFound")) continue; // removed meanwhile
      throw err;
    }
    const base = containerRecord(s, c.pod_sandbox_id);
    const record =
      s.state === "CONTAINER_EXITED"
        ? containerRecord(
            s,
            c.pod_sandbox_id,
            terminationMessage(s, podDir, base.name, base.restartCount),
          )
        : base;
    cache.set(c.id, record);
    records.push(record);
  }
  const byName = new Map<string, ContainerRecord[]>();
  for (const r of newestFirst(records)) {
    const list = byName.get(r.name) ?? [];
    list.push(r);
    byName.set(r.name, list);
  }
  return byName;
}

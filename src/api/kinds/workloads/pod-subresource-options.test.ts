import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toAggregateMessage } from "../../../machinery/field-errors.ts";
import type { Pod } from "../../generated/types.ts";
import {
  kubeletLogQuery,
  parsePodLogOptions,
  QueryParameterError,
  validatePodLogOptions,
} from "./pod-log-options.ts";
import {
  kubeletStreamQuery,
  logContainer,
  parsePodStreamOptions,
  parsePortForwardPorts,
  streamContainer,
} from "./pod-stream-options.ts";

const q = (s: string) => new URLSearchParams(s);
const messages = (s: string) => toAggregateMessage(validatePodLogOptions(parsePodLogOptions(q(s))));

describe("pods/log options", () => {
  it("decodes booleans as apimachinery does", () => {
    const o = parsePodLogOptions(
      q("follow=true&previous=1&timestamps=false&insecureSkipTLSVerifyBackend=0"),
    );
    assert.equal(o.follow, true);
    assert.equal(o.previous, true);
    assert.equal(o.timestamps, false);
    assert.equal(o.insecureSkipTLSVerifyBackend, false);
    assert.equal(parsePodLogOptions(q("follow=")).follow, true);
  });

  it("decodes numbers and times, refusing malformed ones", () => {
    const o = parsePodLogOptions(q("tailLines=10&limitBytes=5&sinceSeconds=300&container=c"));
    assert.deepEqual([o.tailLines, o.limitBytes, o.sinceSeconds, o.container], [10, 5, 300, "c"]);
    assert.throws(() => parsePodLogOptions(q("tailLines=abc")), QueryParameterError);
    assert.throws(() => parsePodLogOptions(q("sinceTime=yesterday")), QueryParameterError);
    assert.equal(
      parsePodLogOptions(q("sinceTime=2026-01-01T00:00:00Z")).sinceTime,
      "2026-01-01T00:00:00Z",
    );
  });

  it("validates as upstream's ValidatePodLogOptions", () => {
    assert.equal(
      messages("tailLines=-1"),
      "tailLines: Invalid value: -1: must be greater than or equal to 0",
    );
    assert.equal(messages("limitBytes=0"), "limitBytes: Invalid value: 0: must be greater than 0");
    assert.equal(
      messages("sinceSeconds=0"),
      "sinceSeconds: Invalid value: 0: must be greater than 0",
    );
    assert.match(
      messages("sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z"),
      /at most one of `sinceTime` or `sinceSeconds` may be specified/,
    );
    assert.match(
      messages("stream=Both"),
      /stream: Unsupported value: "Both": supported values: "All", "Stderr", "Stdout"/,
    );
    assert.match(messages("stream=Stdout&tailLines=3"), /mutually exclusive/);
    assert.equal(messages("stream=All&tailLines=3&follow=true"), "");
  });

  it("forwards the options the kubelet reads", () => {
    const o = parsePodLogOptions(
      q(
        "follow=true&timestamps=true&tailLines=3&sinceTime=2026-01-01T01:00:00%2B01:00&container=x",
      ),
    );
    assert.equal(
      kubeletLogQuery(o).toString(),
      "follow=true&timestamps=true&sinceTime=2026-01-01T00%3A00%3A00Z&tailLines=3",
    );
  });
});

const pod = (containers: string[], inits: string[] = []): Pod => ({
  metadata: { name: "p" },
  spec: {
    containers: containers.map((name) => ({ name })),
    ...(inits.length ? { initContainers: inits.map((name) => ({ name })) } : {}),
  },
});

describe("pods/exec, attach and portforward options", () => {
  it("decodes the streams and the repeated command", () => {
    const o = parsePodStreamOptions(
      q("command=sh&command=-c&command=echo%20hi&container=c&stdin=true&stdout=true&tty=true"),
    );
    assert.deepEqual(o, {
      container: "c",
      stdin: true,
      stdout: true,
      stderr: false,
      tty: true,
      command: ["sh", "-c", "echo hi"],
    });
    assert.equal(
      kubeletStreamQuery(o).toString(),
      "input=1&output=1&tty=1&command=sh&command=-c&command=echo+hi",
    );
  });

  it("reads port lists", () => {
    assert.deepEqual(parsePortForwardPorts(q("ports=80,8080&ports=9000")), [80, 8080, 9000]);
    assert.throws(() => parsePortForwardPorts(q("ports=http")), QueryParameterError);
    assert.throws(() => parsePortForwardPorts(q("ports=70000")), QueryParameterError);
  });

  it("picks the container with upstream's messages", () => {
    assert.deepEqual(logContainer(pod(["a"]), undefined), { name: "a" });
    assert.deepEqual(logContainer(pod(["a", "b"], ["i"]), undefined), {
      error: "a container name must be specified for pod p, choose one of: [i a b]",
    });
    assert.deepEqual(logContainer(pod(["a"], ["i"]), "i"), { name: "i" });
    assert.deepEqual(logContainer(pod(["a"]), "x"), {
      error: "container x is not valid for pod p",
    });
    assert.deepEqual(streamContainer(pod(["a", "b"], ["i"]), undefined), {
      error:
        "a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [i]",
    });
    assert.deepEqual(streamContainer(pod([]), undefined), {
      error: "a container name must be specified for pod p",
    });
  });
});

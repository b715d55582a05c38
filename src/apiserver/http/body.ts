/**
 * Reading and decoding request bodies: a 3 MiB limit (413 beyond it, as upstream), JSON, YAML
 * and Kubernetes protobuf, each failure a 400 or 415 Status that says what is wrong.
 */
import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { decodeKubernetesProtobuf } from "../../machinery/protobuf/decode.ts";
import { isProtobufDecodeError } from "../../machinery/protobuf/errors.ts";
import {
  newBadRequest,
  newRequestEntityTooLargeError,
  newUnsupportedMediaType,
  StatusError,
} from "../../machinery/status.ts";
import { acceptedBodyTypes, bodyTypeOf } from "./negotiate.ts";

export const maxRequestBodyBytes = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = maxRequestBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    throw newRequestEntityTooLargeError(`limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw newRequestEntityTooLargeError(`limit is ${limit}`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses JSON text into a value, with the error upstream's decoder would give. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw newBadRequest(
      `couldn't get version/kind; json parse error: ${(err as Error).message.replace(/^JSON\.parse: /, "")}`,
    );
  }
}

/** Decodes a write body by its Content-Type into a plain object. */
export function decodeBody(contentType: string | undefined, body: Buffer): Record<string, unknown> {
  const type = bodyTypeOf(contentType);
  if (type === undefined) throw newUnsupportedMediaType(acceptedBodyTypes);
  if (body.length === 0) throw newBadRequest("request body must not be empty");
  let value: unknown;
  if (type === "protobuf") {
    try {
      value = decodeKubernetesProtobuf(body).object;
    } catch (err) {
      if (isProtobufDecodeError(err)) {
        throw err.code === 415
          ? newUnsupportedMediaType(acceptedBodyTypes)
          : newBadRequest(err.message);
      }
      throw err;
    }
  } else if (type === "yaml") {
    try {
      value = parseYaml(body.toString("utf8"));
    } catch (err) {
      throw newBadRequest(`error converting YAML to JSON: ${(err as Error).message}`);
    }
  } else {
    value = parseJson(body.toString("utf8"));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw newBadRequest("Object 'Kind' is missing in the request body: expected a JSON object");
  }
  return value as Record<string, unknown>;
}

export { StatusError };

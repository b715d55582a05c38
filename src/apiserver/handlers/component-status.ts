/**
 * `componentstatuses`: each component's health, probed when asked (upstream
 * `pkg/registry/core/componentstatus`), with upstream's deprecation warning.
 */
import { componentStatusDeprecation } from "../../api/kinds/core/component-status.ts";
import type { KubeObject } from "../../api/object.ts";
import { newMethodNotSupported, newNotFound } from "../../machinery/status.ts";
import { setWarnings, writeJson } from "../http/respond.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import { toTable } from "./table.ts";

export interface ComponentHealth {
  readonly name: string;
  readonly healthy: boolean;
  readonly message?: string;
  readonly error?: string;
}

export type ComponentProbe = () => Promise<readonly ComponentHealth[]>;

function componentStatus(h: ComponentHealth): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ComponentStatus",
    metadata: { name: h.name },
    conditions: [
      {
        type: "Healthy",
        status: h.healthy ? "True" : "False",
        ...(h.message ? { message: h.message } : {}),
        ...(h.error ? { error: h.error } : {}),
      },
    ],
  } as KubeObject;
}

export async function serveComponentStatuses(
  ctx: HttpContext,
  registry: GenericRegistry,
  probe: ComponentProbe,
): Promise<void> {
  const { info } = ctx;
  if (info.verb !== "get" && info.verb !== "list") {
    throw newMethodNotSupported(registry.groupResource, info.method.toUpperCase());
  }
  let items = (await probe()).map(componentStatus);
  if (info.name) {
    items = items.filter((i) => i.metadata?.name === info.name);
    if (items.length === 0) throw newNotFound(registry.groupResource, info.name);
  }
  setWarnings(ctx.res, [componentStatusDeprecation]);
  if (ctx.negotiated.rendering === "table") {
    const table = toTable(registry.definition, items, {
      include: ctx.negotiated.includeObject,
      now: ctx.parts.clock.now(),
    });
    return writeJson(ctx.res, 200, table);
  }
  if (info.name) return writeJson(ctx.res, 200, items[0]);
  writeJson(ctx.res, 200, { kind: "ComponentStatusList", apiVersion: "v1", metadata: {}, items });
}

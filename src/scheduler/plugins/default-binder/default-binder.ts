/** DefaultBinder: binds through the API (POST pods/<name>/binding). */
import type { BindPlugin, Handle } from "../../framework/interface.ts";
import { errorStatus, type Status, success } from "../../framework/status.ts";

export const name = "DefaultBinder";

export function newDefaultBinder(handle: Handle): BindPlugin {
  return {
    name,
    async bind(_state, pod, nodeName): Promise<Status> {
      try {
        await handle.api.bind(pod.pod, nodeName);
        return success;
      } catch (err) {
        return errorStatus(err);
      }
    },
  };
}

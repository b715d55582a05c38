/**
 * core/v1 ComponentStatus (`kubectl get componentstatuses`, `cs`): the health of the scheduler,
 * the controller manager and the datastore, answered by the API server when asked (deprecated
 * upstream since 1.19, and still in many tutorials). Never stored.
 */
import type { ComponentStatus } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { nameColumn, nameOf, type Obj } from "./common.ts";

type ComponentStatusObj = Obj<ComponentStatus>;

export const componentStatusDeprecation = "v1 ComponentStatus is deprecated in v1.19+";

export const componentStatusResource: ResourceDefinition<ComponentStatusObj> = {
  group: "",
  version: "v1",
  kind: "ComponentStatus",
  plural: "componentstatuses",
  singular: "componentstatus",
  shortNames: ["cs"],
  namespaced: false,
  verbs: ["get", "list"],
  virtual: true,
  strategy: {
    printer: {
      // `printComponentStatus`: the Healthy condition, else Unknown.
      columns: [
        nameColumn(),
        column("Status", { description: "Status of the component conditions" }),
        column("Message", { description: "Message of the component conditions" }),
        column("Error", { description: "Error of the component conditions" }),
      ],
      row: (cs) => {
        const healthy = (cs.conditions ?? []).find((c) => c.type === "Healthy");
        const status =
          healthy?.status === "True"
            ? "Healthy"
            : healthy?.status === "False"
              ? "Unhealthy"
              : "Unknown";
        return [nameOf(cs), status, healthy?.message ?? "", healthy?.error ?? ""];
      },
    },
  },
};

/**
 * Objects every cluster has from its first start: the namespaces default, kube-system,
 * kube-public and kube-node-lease. Existing ones are left alone, so restarts are cheap.
 */
import type { Logger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { apiserverUser } from "./authn/user.ts";
import type { Catalog } from "./catalog.ts";

export const systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

export async function bootstrapObjects(catalog: Catalog, log: Logger): Promise<void> {
  const namespaces = catalog.lookup("", "v1", "namespaces");
  if (!namespaces) return;
  for (const name of systemNamespaces) {
    try {
      await namespaces.create(
        "",
        { apiVersion: "v1", kind: "Namespace", metadata: { name } },
        { user: apiserverUser, dryRun: false, warnings: [] },
      );
      log.info("created namespace", { name });
    } catch (err) {
      if (!isStatusError(err, "AlreadyExists")) throw err;
    }
  }
}

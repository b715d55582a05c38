/**
 * LimitRanger's constraint checks (upstream `minConstraint`, `maxConstraint`,
 * `maxRequestConstraint`, `limitRequestRatioConstraint`): each returns upstream's message for a
 * violation, or undefined. Values compare in milli-units unless one would overflow, as upstream.
 */

import type { ResourceList } from "../../../api/quota/resource-list.ts";
import { type Quantity, quantityFromJSON } from "../../../machinery/quantity.ts";

/** `resource.MaxMilliValue`: the largest value whose milli-value fits an int64. */
const maxMilliValue = Number((2n ** 63n - 1n) / 1000n);

const zero = quantityFromJSON("0");

/** `requestLimitEnforcedValues`: the three values at a common precision. */
function common(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity) {
  const qs = [req ?? zero, lim ?? zero, enforced];
  const milli = qs.every((q) => q.value() <= maxMilliValue);
  const [r, l, e] = qs.map((q) => (milli ? q.milliValue() : q.value())) as [number, number, number];
  return { r, l, e };
}

export function minConstraint(
  type: string,
  name: string,
  raw: string,
  request: ResourceList,
  limit: ResourceList,
): string | undefined {
  const enforced = quantityFromJSON(raw);
  const req = request.get(name);
  const lim = limit.get(name);
  const { r, l, e } = common(req, lim, enforced);
  if (req === undefined)
    return `minimum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  if (lim !== undefined && l < e)
    return `minimum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  return undefined;
}

export function maxConstraint(
  type: string,
  name: string,
  raw: string,
  request: ResourceList,
  limit: ResourceList,
): string | undefined {
  const enforced = quantityFromJSON(raw);
  const req = request.get(name);
  const lim = limit.get(name);
  const { r, l, e } = common(req, lim, enforced);
  if (lim === undefined)
    return `maximum ${name} usage per ${type} is ${enforced}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${type} is ${enforced}, but limit is ${lim}`;
  if (req !== undefined && r > e)
    return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

/** For PVCs, whose limits are not user input: only the request is held to the max. */
export function maxRequestConstraint(
  type: string,
  name: string,
  raw: string,
  request: ResourceList,
): string | undefined {
  const enforced = quantityFromJSON(raw);
  const req = request.get(name);
  const { r, e } = common(req, undefined, enforced);
  if (req === undefined)
    return `maximum ${name} usage per ${type} is ${enforced}.  No request is specified`;
  if (r > e) return `maximum ${name} usage per ${type} is ${enforced}, but request is ${req}`;
  return undefined;
}

export function limitRequestRatioConstraint(
  type: string,
  name: string,
  raw: string,
  request: ResourceList,
  limit: ResourceList,
): string | undefined {
  const enforced = quantityFromJSON(raw);
  const req = request.get(name);
  const lim = limit.get(name);
  const { r, l } = common(req, lim, enforced);
  const prefix = `${name} max limit to request ratio per ${type} is ${enforced}`;
  if (req === undefined || r === 0) return `${prefix}, but no request is specified or request is 0`;
  if (lim === undefined || l === 0) return `${prefix}, but no limit is specified or limit is 0`;
  const observed = l / r;
  const milli = enforced.value() <= maxMilliValue;
  const scaled = milli ? observed * 1000 : observed;
  const allowed = milli ? enforced.milliValue() : enforced.value();
  if (scaled > allowed) return `${prefix}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}

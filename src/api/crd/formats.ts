/**
 * String formats custom resource validation checks, as kube-openapi's format registry does for
 * CRD schemas (`strfmt`): a value of another format, or of a format this list does not know, is
 * not checked. Numeric formats (int32, int64, float, double) are never checked upstream.
 */
import { isIP } from "node:net";

const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimeRe =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const uuidRe = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuidVersionRe = (v: string) =>
  new RegExp(`^[0-9a-f]{8}-[0-9a-f]{4}-${v}[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, "i");
const hostnameRe =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const macRe = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
const durationRe = /^(-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/;
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const emailRe = /^[^\s@]+@[^\s@]+$/;

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

function isDate(s: string): boolean {
  const m = dateRe.exec(s);
  return m !== null && validDate(m[1]!, m[2]!, m[3]!);
}

function isDateTime(s: string): boolean {
  const m = dateTimeRe.exec(s);
  if (m === null || !validDate(m[1]!, m[2]!, m[3]!)) return false;
  return Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
}

function isCIDR(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const family = isIP(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const checks: Readonly<Record<string, (s: string) => boolean>> = {
  date: isDate,
  "date-time": isDateTime,
  datetime: isDateTime,
  byte: (s) => base64Re.test(s),
  uuid: (s) => uuidRe.test(s),
  uuid3: (s) => uuidVersionRe("3").test(s),
  uuid4: (s) => uuidVersionRe("4").test(s),
  uuid5: (s) => uuidVersionRe("5").test(s),
  ipv4: (s) => isIP(s) === 4,
  ipv6: (s) => isIP(s) === 6,
  cidr: isCIDR,
  hostname: (s) => hostnameRe.test(s),
  mac: (s) => macRe.test(s),
  duration: (s) => durationRe.test(s),
  email: (s) => emailRe.test(s),
};

/** True when `value` matches `format`, or the format is not one that is checked. */
export function matchesFormat(format: string, value: string): boolean {
  const check = checks[format];
  return check === undefined || check(value);
}

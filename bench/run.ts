/**
 * `npm run bench [-- name...]`: runs the named benchmarks (all when none is named) and prints
 * their figures. Benchmarks measure; they do not pass or fail.
 */
import { machineLine } from "./stats.ts";

const benches: Record<string, () => Promise<void>> = {
  store: async () => (await import("./store.ts")).run(),
  apiserver: async () => (await import("./apiserver.ts")).run(),
  api: async () => (await import("./api.ts")).run(),
  scale: async () => (await import("./scale.ts")).run(),
  controllers: async () => (await import("./controllers.ts")).run(),
  proxy: async () => (await import("./proxy.ts")).run(),
  "pod-startup": async () => (await import("./pod-startup.ts")).run(),
  "pod-streams": async () => (await import("./pod-streams.ts")).run(),
  dns: async () => (await import("./dns.ts")).run(),
  ingress: async () => (await import("./ingress.ts")).run(),
  volumes: async () => (await import("./volumes.ts")).run(),
  cluster: async () => (await import("./cluster.ts")).run(),
  "service-latency": async () => (await import("./service-latency.ts")).run(),
  ha: async () => (await import("./ha.ts")).run(),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = names.filter((n) => !(n in benches));
if (unknown.length > 0) {
  console.error(
    `bench: unknown benchmark(s) ${unknown.join(", ")}; known: ${Object.keys(benches).join(", ")}`,
  );
  process.exit(2);
}
console.log(machineLine());
for (const name of names.length > 0 ? names : Object.keys(benches)) {
  console.log(`\n## ${name}\n`);
  await benches[name]!();
}

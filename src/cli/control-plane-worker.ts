/** The control-plane worker thread's entry (control-plane.ts starts it). */
import { parentPort, workerData } from "node:worker_threads";
import { createLogger } from "../machinery/log.ts";
import { type ComponentsConfig, runComponents } from "./control-plane-components.ts";

const log = createLogger("control-plane");
const stop = new AbortController();
parentPort!.on("message", (message) => {
  if (message === "stop") stop.abort();
});
try {
  await runComponents(workerData as ComponentsConfig, log, stop.signal);
} catch (err) {
  log.error("control plane stopped with an error", { err });
  process.exitCode = 1;
}
// Whatever a client left open (a keep-alive socket, a timer) must not keep the thread alive.
process.exit();

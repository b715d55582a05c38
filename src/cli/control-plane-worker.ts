/** The control-plane worker thread's entry (control-plane.ts starts it). */
import { type MessagePort, parentPort } from "node:worker_threads";
import { createLogger } from "../machinery/log.ts";
import type { ComponentsConfig } from "./control-plane-components.ts";

const log = createLogger("control-plane");
// Load the components now, while the main thread starts the API server.
const components = import("./control-plane-components.ts");
const stop = new AbortController();
type Start = { start: ComponentsConfig; channel?: MessagePort };
const start = await new Promise<Start | undefined>((resolve) => {
  parentPort!.on("message", (message: "stop" | Start) => {
    if (message === "stop") {
      stop.abort();
      resolve(undefined);
    } else resolve(message);
  });
});
try {
  if (start) {
    await (await components).runComponents(start.start, log, stop.signal, start.channel);
  }
} catch (err) {
  log.error("control plane stopped with an error", { err });
  process.exitCode = 1;
}
// Whatever a client left open (a keep-alive socket, a timer) must not keep the thread alive.
process.exit();

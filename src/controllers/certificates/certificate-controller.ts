/**
 * The skeleton the CSR approving and signing controllers share (upstream
 * `pkg/controller/certificates/certificate_controller.go`): a CSR informer whose handlers enqueue
 * names, workers that hand a copy of each CSR without a certificate to the controller's
 * `handle`. A throw retries with back-off, which is how a request that is not (yet) authorized
 * is looked at again later.
 */
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import type { Controller, ControllerContext } from "../context.ts";
import type { CSR } from "./csr-helpers.ts";

export class CertificateController implements Controller {
  readonly name: string;
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #csrs: Informer<CSR>;
  readonly #handle: (csr: CSR) => Promise<void>;

  constructor(ctx: ControllerContext, name: string, handle: (csr: CSR) => Promise<void>) {
    this.name = name;
    this.#ctx = ctx;
    this.#handle = handle;
    this.#csrs = ctx.informers.informer<CSR>(resources.csrs);
    const enqueue = (csr: CSR) => this.#queue.add(keyOf(csr));
    this.#csrs.addHandlers({ onAdd: enqueue, onUpdate: (_, csr) => enqueue(csr) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#csrs.synced();
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (name) => this.sync(name),
      log: this.#ctx.log,
      signal,
    });
  }

  /** `syncFunc`: CSRs that are gone or already hold a certificate need nothing. */
  async sync(name: string): Promise<void> {
    const csr = this.#csrs.getByKey(name);
    if (!csr || csr.status?.certificate) return;
    await this.#handle(structuredClone(csr));
  }
}

import { after, before } from "node:test";
import { storeContract } from "../contract.ts";
import { EtcdCluster } from "../testing/etcd-harness.ts";
import { withWatchFanout } from "../watch-fanout.ts";
import { EtcdStore } from "./etcd-store.ts";

let cluster: EtcdCluster;
before(async () => {
  cluster = await EtcdCluster.start(1);
});
after(async () => {
  await cluster.stop();
});

function harness(wrap: boolean, root: string) {
  return {
    minLeaseTtl: 2,
    async open() {
      const store = new EtcdStore({ endpoints: cluster.endpoints });
      return { store: wrap ? withWatchFanout(store) : store, root };
    },
    async elapse(ms: number) {
      await new Promise((r) => setTimeout(r, ms));
    },
  };
}

storeContract("etcd", harness(false, "/raw"));
storeContract("etcd with watch fan-out", harness(true, "/fanout"));

/**
 * A small etcd v3 client on @grpc/grpc-js: the only file in the store that knows gRPC.
 *
 * Every unary call carries a deadline, and transport failures (connection refused, deadline
 * exceeded while quorum is lost) come back as StoreError `Unavailable` instead of hanging. The
 * channel reconnects on its own with a short back-off, so a restarted member is used again within
 * about a second.
 */
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { StoreError, type StoreErrorReason } from "../errors.ts";

/** Messages as proto-loader decodes them: int64 as decimal strings, bytes as Buffers. */
export type Int64 = string | number;

export interface EtcdKeyValue {
  key: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  value: Buffer;
  lease: string;
}

export interface ResponseHeader {
  revision: string;
  member_id: string;
  cluster_id: string;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: Int64;
  revision?: Int64;
  keys_only?: boolean;
  count_only?: boolean;
  serializable?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: EtcdKeyValue[];
  more: boolean;
  count: string;
}

export interface PutRequest {
  key: Buffer;
  value: Buffer;
  lease?: Int64;
  prev_kv?: boolean;
}

export interface DeleteRangeRequest {
  key: Buffer;
  range_end?: Buffer;
  prev_kv?: boolean;
}

export interface RequestOp {
  request_range?: RangeRequest;
  request_put?: PutRequest;
  request_delete_range?: DeleteRangeRequest;
}

export interface ResponseOp {
  response_range?: RangeResponse;
  response_put?: { header: ResponseHeader; prev_kv: EtcdKeyValue | null };
  response_delete_range?: { header: ResponseHeader; deleted: string; prev_kvs: EtcdKeyValue[] };
}

export interface Compare {
  result: "EQUAL" | "GREATER" | "LESS" | "NOT_EQUAL";
  target: "VERSION" | "CREATE" | "MOD" | "VALUE" | "LEASE";
  key: Buffer;
  version?: Int64;
  create_revision?: Int64;
  mod_revision?: Int64;
}

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface WatchCreateRequest {
  key: Buffer;
  range_end?: Buffer;
  start_revision?: Int64;
  prev_kv?: boolean;
  progress_notify?: boolean;
}

export interface WatchRequest {
  create_request?: WatchCreateRequest;
  progress_request?: Record<string, never>;
}

export interface WatchResponse {
  header: ResponseHeader;
  watch_id: string;
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  events: Array<{ type: "PUT" | "DELETE"; kv: EtcdKeyValue; prev_kv: EtcdKeyValue | null }>;
}

export interface StatusResponse {
  header: ResponseHeader;
  version: string;
  dbSize: string;
  leader: string;
  raftIndex: string;
  raftTerm: string;
  errors: string[];
  isLearner: boolean;
}

export interface Member {
  ID: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

export interface EtcdTls {
  readonly ca: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Name to check the server certificate against, when endpoints are IP addresses. */
  readonly serverName?: string;
}

export interface EtcdClientOptions {
  /** Client URLs such as `http://127.0.0.1:2379`; several are tried in order. */
  readonly endpoints: readonly string[];
  readonly tls?: EtcdTls;
  /** Deadline of every unary call. */
  readonly timeoutMs?: number;
}

type Unary<Req, Res> = (
  req: Req,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: Res) => void,
) => grpc.ClientUnaryCall;

interface ServiceClient extends grpc.Client {
  [method: string]: unknown;
}

type ServiceCtor = new (
  target: string,
  creds: grpc.ChannelCredentials,
  options: grpc.ChannelOptions,
) => ServiceClient;

const protoPath = fileURLToPath(new URL("./etcd.proto", import.meta.url));
let loaded: Record<string, ServiceCtor> | undefined;

function services(): Record<string, ServiceCtor> {
  if (!loaded) {
    const def = protoLoader.loadSync(protoPath, {
      keepCase: true,
      longs: String,
      enums: String,
      bytes: Buffer,
      defaults: true,
      oneofs: false,
    });
    const pkg = (grpc.loadPackageDefinition(def) as Record<string, Record<string, ServiceCtor>>)
      .etcdserverpb!;
    loaded = pkg;
  }
  return loaded;
}

export function grpcTarget(endpoints: readonly string[]): string {
  if (endpoints.length === 0) throw new Error("no etcd endpoints given");
  const hostPorts = endpoints.map((e) => {
    const url = new URL(e.includes("://") ? e : `http://${e}`);
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port: url.port || "2379" };
  });
  const ipv4 = /^\d+\.\d+\.\d+\.\d+$/;
  if (hostPorts.length > 1 && hostPorts.every((h) => ipv4.test(h.host))) {
    return `ipv4:${hostPorts.map((h) => `${h.host}:${h.port}`).join(",")}`;
  }
  const first = hostPorts[0]!;
  return `${first.host.includes(":") ? `[${first.host}]` : first.host}:${first.port}`;
}

/** Maps a gRPC failure to the store's error vocabulary. */
export function storeErrorFromGrpc(err: grpc.ServiceError | Error): StoreError {
  const code = (err as grpc.ServiceError).code;
  const details = (err as grpc.ServiceError).details ?? err.message;
  let reason: StoreErrorReason = "Unavailable";
  if (/required revision has been compacted/.test(details)) reason = "Compacted";
  else if (code === grpc.status.NOT_FOUND) reason = "NotFound";
  else if (code === grpc.status.INVALID_ARGUMENT || /future revision/.test(details)) {
    reason = "InvalidArgument";
  }
  // A deadline passes when the member has no leader (quorum lost) or etcd is overloaded; say so,
  // as upstream's "etcdserver: request timed out" does.
  const hint =
    reason === "Unavailable" && code === grpc.status.DEADLINE_EXCEEDED
      ? "request timed out (no etcd leader: is a majority of etcd members up?): "
      : "";
  return new StoreError(reason, `etcd: ${hint}${details}`, { cause: err });
}

export class EtcdClient {
  readonly #channel: grpc.Channel;
  readonly #kv: ServiceClient;
  readonly #watch: ServiceClient;
  readonly #lease: ServiceClient;
  readonly #maintenance: ServiceClient;
  readonly #cluster: ServiceClient;
  readonly #timeoutMs: number;

  constructor(options: EtcdClientOptions) {
    const svc = services();
    const creds = options.tls
      ? grpc.credentials.createSsl(
          options.tls.ca,
          options.tls.key ?? null,
          options.tls.cert ?? null,
        )
      : grpc.credentials.createInsecure();
    const channelOptions: grpc.ChannelOptions = {
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1000,
      "grpc.min_reconnect_backoff_ms": 100,
      "grpc.max_receive_message_length": 512 * 1024 * 1024,
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
      ...(options.tls?.serverName
        ? { "grpc.ssl_target_name_override": options.tls.serverName }
        : {}),
    };
    const target = grpcTarget(options.endpoints);
    this.#channel = new grpc.Channel(target, creds, channelOptions);
    const make = (ctor: ServiceCtor) =>
      new ctor(target, creds, { ...channelOptions, channelOverride: this.#channel });
    this.#kv = make(svc.KV!);
    this.#watch = make(svc.Watch!);
    this.#lease = make(svc.Lease!);
    this.#maintenance = make(svc.Maintenance!);
    this.#cluster = make(svc.Cluster!);
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  range(req: RangeRequest): Promise<RangeResponse> {
    return this.#call(this.#kv, "Range", req);
  }

  put(req: PutRequest): Promise<{ header: ResponseHeader }> {
    return this.#call(this.#kv, "Put", req);
  }

  txn(req: TxnRequest): Promise<TxnResponse> {
    return this.#call(this.#kv, "Txn", req);
  }

  deleteRange(req: DeleteRangeRequest): Promise<ResponseOp["response_delete_range"] & object> {
    return this.#call(this.#kv, "DeleteRange", req);
  }

  compact(revision: number): Promise<{ header: ResponseHeader }> {
    return this.#call(this.#kv, "Compact", { revision, physical: false });
  }

  leaseGrant(ttlSeconds: number, id: number): Promise<{ ID: string; TTL: string; error: string }> {
    return this.#call(this.#lease, "LeaseGrant", { TTL: ttlSeconds, ID: id });
  }

  leaseRevoke(id: number): Promise<{ header: ResponseHeader }> {
    return this.#call(this.#lease, "LeaseRevoke", { ID: id });
  }

  /** One keep-alive round trip; resolves with the lease's remaining TTL (0 when it is gone). */
  leaseKeepAlive(id: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const stream = (
        this.#lease.LeaseKeepAlive as (
          o: grpc.CallOptions,
        ) => grpc.ClientDuplexStream<{ ID: number }, { TTL: string }>
      )({ deadline: Date.now() + this.#timeoutMs });
      stream.once("data", (res) => {
        resolve(Number(res.TTL));
        stream.cancel();
      });
      stream.once("error", (err: grpc.ServiceError) => {
        if (err.code !== grpc.status.CANCELLED) reject(storeErrorFromGrpc(err));
      });
      stream.write({ ID: id });
    });
  }

  status(): Promise<StatusResponse> {
    return this.#call(this.#maintenance, "Status", {});
  }

  memberList(): Promise<{ header: ResponseHeader; members: Member[] }> {
    return this.#call(this.#cluster, "MemberList", {});
  }

  memberAdd(peerURLs: string[]): Promise<{ member: Member; members: Member[] }> {
    return this.#call(this.#cluster, "MemberAdd", { peerURLs, isLearner: false });
  }

  memberRemove(id: string): Promise<{ members: Member[] }> {
    return this.#call(this.#cluster, "MemberRemove", { ID: id });
  }

  /** Opens a raw watch stream; the caller writes create requests and reads responses. */
  watchStream(): grpc.ClientDuplexStream<WatchRequest, WatchResponse> {
    return (this.#watch.Watch as () => grpc.ClientDuplexStream<WatchRequest, WatchResponse>)();
  }

  close(): void {
    for (const c of [this.#kv, this.#watch, this.#lease, this.#maintenance, this.#cluster])
      c.close();
    this.#channel.close();
  }

  #call<Req, Res>(client: ServiceClient, method: string, req: Req): Promise<Res> {
    const fn = client[method] as Unary<Req, Res>;
    return new Promise((resolve, reject) => {
      fn.call(
        client,
        req,
        new grpc.Metadata(),
        { deadline: Date.now() + this.#timeoutMs },
        (err, res) => (err ? reject(storeErrorFromGrpc(err)) : resolve(res)),
      );
    });
  }
}

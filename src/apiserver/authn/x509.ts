/**
 * Client-certificate authentication: a certificate the cluster CA signed names the user (CN) and
 * the groups (O), as upstream's x509 authenticator does.
 */
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { UserInfo } from "./user.ts";

export interface Authenticator {
  /** The user, undefined when the request carries no credentials; throws for bad credentials. */
  authenticate(req: IncomingMessage): Promise<UserInfo | undefined>;
}

/** A connection's certificate does not change, so its user is worked out once per socket. */
const usersBySocket = new WeakMap<TLSSocket, UserInfo | null>();

function userOf(socket: TLSSocket): UserInfo | null {
  if (typeof socket.getPeerCertificate !== "function" || !socket.authorized) return null;
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  if (!cn) return null;
  const o = cert.subject.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { username: String(cn), groups: [...groups.map(String), "system:authenticated"] };
}

export const x509Authenticator: Authenticator = {
  async authenticate(req) {
    const socket = req.socket as TLSSocket;
    let user = usersBySocket.get(socket);
    if (user === undefined) {
      user = userOf(socket);
      usersBySocket.set(socket, user);
    }
    return user ?? undefined;
  },
};

/** Tries authenticators in order; the first that recognises the request wins. */
export function unionAuthenticator(authenticators: readonly Authenticator[]): Authenticator {
  return {
    async authenticate(req) {
      for (const a of authenticators) {
        const user = await a.authenticate(req);
        if (user) return user;
      }
      return undefined;
    },
  };
}

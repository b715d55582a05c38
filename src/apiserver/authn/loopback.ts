/**
 * Loopback credentials: the control-plane components that run inside `bosun server` reach their
 * own API server over an in-process channel (ADR 29, which replaced ADR 26's unix socket), each
 * with a random bearer token made when the server starts and never written anywhere. Like
 * upstream's loopback client token, a token names a fixed user; unlike it, it is accepted only on
 * the channel, never on the TLS port.
 */
import { randomBytes } from "node:crypto";
import { isChannelRequest } from "../http/channel.ts";
import type { UserInfo } from "./user.ts";
import type { Authenticator } from "./x509.ts";

export class LoopbackTokens {
  readonly #users = new Map<string, UserInfo>();

  /** A new token for `username` (groups as a client certificate with that CN and no O gives). */
  issue(username: string): string {
    const token = randomBytes(32).toString("base64url");
    this.#users.set(token, { username, groups: ["system:authenticated"] });
    return token;
  }

  /** The user of a token this process issued. */
  userOf(token: string): UserInfo | undefined {
    return this.#users.get(token);
  }
}

/** Accepts loopback tokens on the in-process channel; everything else passes through. */
export function loopbackAuthenticator(tokens: LoopbackTokens): Authenticator {
  return {
    async authenticate(req) {
      if (!isChannelRequest(req)) return undefined;
      const header = req.headers.authorization;
      if (!header?.startsWith("Bearer ")) return undefined;
      return tokens.userOf(header.slice(7).trim());
    },
  };
}

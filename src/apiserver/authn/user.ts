/** Who made a request, as authentication established it (upstream `user.Info`). */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export const anonymousUser: UserInfo = {
  username: "system:anonymous",
  groups: ["system:unauthenticated"],
};

/** The identity the API server uses for its own writes (bootstrap objects, finalization). */
export const apiserverUser: UserInfo = {
  username: "system:apiserver",
  groups: ["system:masters", "system:authenticated"],
};

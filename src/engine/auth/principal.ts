import type { Role } from './roles.ts';

/** Who is calling: the verified API token behind a request or WebSocket connection. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  /** For `agent` tokens: the agent identity the token is bound to. */
  agent: string | null;
  /** For `agent` tokens: the policy roles the agent may act as. */
  agentRoles: string[];
}

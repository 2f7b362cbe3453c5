import type { Principal } from '../auth/principal';

/** Who did it, as stored in transitions, notes and surveys: `client:<client_id>` or `staff:<id>`. */
export function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.subject}`;
}

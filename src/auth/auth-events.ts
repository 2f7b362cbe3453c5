import { Injectable, Logger } from '@nestjs/common';

/** Something about access the audit log (or anyone else) wants to know. */
export interface AccessEvent {
  type: 'login.succeeded' | 'login.failed' | 'permission.denied';
  tenantId: string;
  actorKind: 'client' | 'staff' | 'anonymous';
  actorId: string;
  /** Route or operation, e.g. `POST /v1/auth/login`, `GET /v1/audit`. */
  resource: string;
  detail?: string;
  requestId?: string | null;
  ip?: string | null;
}

/**
 * Auth publishes log-ins and permission failures here; the privacy module's audit log
 * subscribes. Keeps auth free of a dependency on privacy (STYLE rule 9). Listeners must not
 * throw or block: they run inside the request.
 */
@Injectable()
export class AuthEvents {
  private readonly logger = new Logger('AuthEvents');
  private readonly listeners: ((event: AccessEvent) => void)[] = [];

  subscribe(listener: (event: AccessEvent) => void): void {
    this.listeners.push(listener);
  }

  emit(event: AccessEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`access event listener failed: ${String(error)}`);
      }
    }
  }
}

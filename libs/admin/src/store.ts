import type { Persistence } from '@beacon/persistence';

/** What the admin capability needs of persistence (Persistence satisfies it). */
export type AdminStore = Pick<Persistence, 'apps' | 'operators' | 'sessions' | 'signInFailures' | 'audit'>;

export const ADMIN_STORE = Symbol('ADMIN_STORE');

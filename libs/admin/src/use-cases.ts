import { randomBytes } from 'node:crypto';
import {
  DEFAULT_APP_SETTINGS,
  type AddTokenKeyInput,
  type AppRecord,
  type AppSettings,
  type AuditEntry,
  type IssuedTokenKey,
  type OperatorDetails,
  type OperatorRole,
  type TokenKeyRecord,
} from '@beacon/persistence';
import { AdminException, auditResultOf } from './admin.exception.js';
import type { AdminStore } from './store.js';

/** Who acts: `operator:<email>` (admin API) or `cli:<user>` (CLI), and from where. */
export interface Actor {
  name: string;
  remoteAddr?: string | null;
}

export const operatorActor = (email: string, remoteAddr?: string | null): Actor => ({
  name: `operator:${email}`,
  remoteAddr: remoteAddr ?? null,
});
export const cliActor = (user: string): Actor => ({ name: `cli:${user}` });

/**
 * A settings patch as the admin API takes it: the limit overrides accept null ("the process default"),
 * and so does maxTokenLifetimeSec (back to its default).
 */
export type SettingsPatch = {
  [K in keyof AppSettings]?: AppSettings[K] | null;
};

function settingsOf(patch: SettingsPatch | undefined): Partial<AppSettings> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === undefined) continue;
    if (v === null && k === 'maxTokenLifetimeSec') out[k] = DEFAULT_APP_SETTINGS.maxTokenLifetimeSec;
    else out[k] = v;
  }
  return out as Partial<AppSettings>;
}

/**
 * The app, key and operator changes the admin API and the CLI share: one implementation, each call audited
 * (result `ok`, or the failure's code lower-cased) with the actor and the action names of ADMIN_ROUTES.
 */
export class AdminUseCases {
  constructor(private readonly store: AdminStore) {}

  createApp(
    actor: Actor,
    input: { name: string; key?: string; settings?: SettingsPatch },
  ): Promise<{ app: AppRecord; secret: string; secretKid: string; tokenKey: IssuedTokenKey }> {
    return this.audited(
      actor,
      'app.create',
      input.key ?? input.name,
      () =>
        this.store.apps.create({ name: input.name, key: input.key, settings: settingsOf(input.settings) }),
      (r) => r.app,
    );
  }

  updateApp(
    actor: Actor,
    key: string,
    change: { name?: string; settings?: SettingsPatch },
  ): Promise<AppRecord> {
    return this.audited(
      actor,
      'app.update',
      key,
      () => this.store.apps.updateSettings(key, settingsOf(change.settings), change.name),
      (a) => a,
      { name: change.name, settings: change.settings },
    );
  }

  rotateSecret(actor: Actor, key: string): Promise<{ app: AppRecord; secret: string; secretKid: string }> {
    return this.audited(
      actor,
      'app.rotate',
      key,
      () => this.store.apps.rotateSecret(key),
      (r) => r.app,
    );
  }

  rotateTokenKey(actor: Actor, key: string): Promise<{ app: AppRecord; tokenKey: IssuedTokenKey }> {
    return this.audited(
      actor,
      'app.rotate_token_key',
      key,
      () => this.store.apps.rotateTokenKey(key),
      (r) => r.app,
    );
  }

  setEnabled(actor: Actor, key: string, enabled: boolean): Promise<AppRecord> {
    return this.audited(
      actor,
      enabled ? 'app.enable' : 'app.disable',
      key,
      () => this.store.apps.setEnabled(key, enabled),
      (a) => a,
    );
  }

  /** Deletes an app; `confirm` must repeat its key (the dashboard's typed confirmation). */
  deleteApp(actor: Actor, key: string, confirm: string): Promise<AppRecord> {
    return this.audited(
      actor,
      'app.delete',
      key,
      async () => {
        if (confirm !== key)
          throw new AdminException('confirmation_mismatch', `type the app's key (${key}) to confirm`);
        return this.store.apps.delete(key);
      },
      (a) => a,
    );
  }

  addPublicKey(
    actor: Actor,
    key: string,
    input: Omit<AddTokenKeyInput, 'secret'>,
  ): Promise<{ app: AppRecord; key: TokenKeyRecord }> {
    return this.audited(
      actor,
      'app.add_public_key',
      key,
      () => this.store.apps.addTokenKey(key, input),
      (r) => r.app,
      { alg: input.alg, kid: input.kid },
    );
  }

  revokeKey(actor: Actor, key: string, kid: string): Promise<{ app: AppRecord; key: TokenKeyRecord }> {
    return this.audited(
      actor,
      'app.revoke_key',
      `${key}/${kid}`,
      async () => {
        if (kid.startsWith('ps_'))
          throw new AdminException('conflict', 'a push secret is replaced by rotating it, not revoked alone');
        return this.store.apps.revokeTokenKey(key, kid);
      },
      (r) => r.app,
    );
  }

  /** Creates an operator; without a password one is generated and returned (shown once). */
  async createOperator(
    actor: Actor,
    input: { email: string; role: OperatorRole; password?: string },
  ): Promise<{ operator: OperatorDetails; password?: string }> {
    const password = input.password ?? randomBytes(18).toString('base64url');
    return this.audited(
      actor,
      'operator.create',
      input.email,
      async () => {
        const made = await this.store.operators.create({ email: input.email, password, role: input.role });
        const operator = await this.store.operators.findById(made.id);
        if (operator === null) throw new AdminException('internal', 'operator vanished');
        return { operator, ...(input.password === undefined && { password }) };
      },
      () => undefined,
      { role: input.role },
    );
  }

  /** Changes an operator's role or disables it; never leaves no enabled admin. Disabling signs it out. */
  updateOperator(
    actor: Actor,
    id: string,
    change: { role?: OperatorRole; disabled?: boolean },
  ): Promise<OperatorDetails> {
    return this.audited(
      actor,
      'operator.update',
      id,
      async () => {
        const op = await this.store.operators.update(id, change);
        return op;
      },
      () => undefined,
      change,
    );
  }

  /** Runs a change and audits it, successful or not; the error goes on to the caller. */
  private async audited<T>(
    actor: Actor,
    action: string,
    target: string,
    fn: () => Promise<T>,
    appOf: (r: T) => AppRecord | undefined,
    detail?: unknown,
  ): Promise<T> {
    const entry: AuditEntry = {
      actor: actor.name,
      action,
      target,
      result: 'ok',
      remoteAddr: actor.remoteAddr ?? null,
      ...(detail !== undefined && { detail }),
    };
    try {
      const r = await fn();
      this.store.audit.record({ ...entry, appId: appOf(r)?.id ?? null });
      return r;
    } catch (err) {
      this.store.audit.record({ ...entry, result: auditResultOf(err) });
      throw err;
    }
  }
}

import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AdminException, AdminUseCases, cliActor, type Actor, type SettingsPatch } from '@beacon/admin';
import { printable } from '@beacon/protocol';
import {
  migrate,
  OPERATOR_ROLES,
  Persistence,
  PersistenceError,
  type AppSettings,
  type OperatorRole,
} from '@beacon/persistence';

/** Everything the CLI touches outside itself, so specs can drive it in-process. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  readStdin(): Promise<string>;
  /** Operating-system user name, for the audit actor `cli:<user>`. */
  username?: string;
}

export const USAGE = `Usage: beacon <command> [options]

Apps
  apps create --name NAME [--key KEY] [--anonymous] [--client-publish] [--max-connections N]
              [--max-token-lifetime SEC]      prints the push secret and the token key once
  apps list [--json]
  apps update <key> [--[no-]anonymous] [--[no-]client-publish] [--max-connections N]
              [--max-token-lifetime SEC] [--name NAME]
              [--publish-rate N|default] [--publish-burst N|default]
              [--max-topics N|default] [--max-message-bytes N|default]
                             per-app overrides of the process-wide client limits
              [--presence 'room.*,/chat/**' (empty: none)]
              [--presence-max-members N] [--history PATTERN:SIZE:TTLSEC ... | --history none]
              [--server-frames beacon|firetower]   firetower: speak firetower's server frames
  apps rotate <key>          issue a new push secret, revoke the old one
  apps disable <key>         open connections are closed with 4003
  apps enable <key>
  apps delete <key>          open connections are closed with 4003
Client-token keys (separate from the push secret)
  keys list <app> [--all] [--json]
  keys rotate <app>          issue a new HS256 token key, revoke the other HS256 keys
  keys add <app> --alg ES256|EdDSA|RS256 --public-key FILE [--kid KID]
                             register a public key (PEM or JWK); you keep the private key
  keys revoke <app> <kid>    connections whose token it verified are closed
Operators
  operators create --email EMAIL (--password-stdin | --password PASSWORD) [--role admin|viewer]
  operators list [--json]
  operators update <email> [--role admin|viewer] [--disable | --enable]
                             never leaves no enabled admin; disabling signs the operator out
Audit
  audit tail [--app KEY] [--limit N]

Environment
  BEACON_DATA_DIR       data folder (default ./data)
  BEACON_DATABASE_URL   default file:<data dir>/beacon.db; postgresql://… for PostgreSQL
  BEACON_SECRET_KEY     32-byte master key (base64 or hex); default <data dir>/secret.key
`;

class CliError extends Error {}

type Values = Record<string, string | boolean | string[] | undefined>;

const COMMANDS: Record<string, ParseArgsConfig['options']> = {
  'apps create': {
    name: { type: 'string' },
    key: { type: 'string' },
    anonymous: { type: 'boolean' },
    'client-publish': { type: 'boolean' },
    'max-connections': { type: 'string' },
    'max-token-lifetime': { type: 'string' },
  },
  'apps list': { json: { type: 'boolean' } },
  'apps update': {
    name: { type: 'string' },
    anonymous: { type: 'boolean' },
    'client-publish': { type: 'boolean' },
    'max-connections': { type: 'string' },
    'max-token-lifetime': { type: 'string' },
    'publish-rate': { type: 'string' },
    'publish-burst': { type: 'string' },
    'max-topics': { type: 'string' },
    'max-message-bytes': { type: 'string' },
    presence: { type: 'string' },
    'presence-max-members': { type: 'string' },
    history: { type: 'string', multiple: true },
    'server-frames': { type: 'string' },
  },
  'keys list': { all: { type: 'boolean' }, json: { type: 'boolean' } },
  'keys rotate': {},
  'keys add': { alg: { type: 'string' }, 'public-key': { type: 'string' }, kid: { type: 'string' } },
  'keys revoke': {},
  'apps rotate': {},
  'apps disable': {},
  'apps enable': {},
  'apps delete': {},
  'operators create': {
    email: { type: 'string' },
    password: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    role: { type: 'string' },
  },
  'operators list': { json: { type: 'boolean' } },
  'operators update': { role: { type: 'string' }, disable: { type: 'boolean' }, enable: { type: 'boolean' } },
  'audit tail': { app: { type: 'string' }, limit: { type: 'string' } },
};

function integer(
  value: string | boolean | string[] | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < min || n > max) {
    throw new CliError(`${flag} must be an integer from ${min} to ${max}`);
  }
  return n;
}

function keyArg(positionals: string[], command: string, more = ''): string {
  const key = positionals[0];
  const want = more === '' ? 1 : 2;
  if (key === undefined || positionals.length !== want)
    throw new CliError(`usage: beacon ${command} <key>${more === '' ? '' : ` ${more}`}`);
  return key;
}

/** An override flag: an integer, or `default` (null: the process-wide limit). */
function override(value: string | boolean | undefined, flag: string, min: number): number | null | undefined {
  if (value === 'default') return null;
  return integer(value, flag, min, 100_000_000);
}

/** The limit-override flags of `apps update`. */
function overrideFlags(values: Values): SettingsPatch {
  const out: SettingsPatch = {};
  const pairs = [
    ['publish-rate', 'publishRate', 1],
    ['publish-burst', 'publishBurst', 1],
    ['max-topics', 'maxTopicsPerConnection', 1],
    ['max-message-bytes', 'maxMessageBytes', 16],
  ] as const;
  for (const [flag, key, min] of pairs) {
    const v = override(values[flag] as string | undefined, `--${flag}`, min);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Settings flags shared by `apps create` and `apps update`. */
function settingsFlags(values: Values): SettingsPatch {
  const maxConnections = integer(values['max-connections'], '--max-connections', 0, 10_000_000);
  const maxTokenLifetimeSec = integer(
    values['max-token-lifetime'],
    '--max-token-lifetime',
    60,
    30 * 24 * 3600,
  );
  return {
    ...(typeof values.anonymous === 'boolean' && { allowAnonymous: values.anonymous }),
    ...(typeof values['client-publish'] === 'boolean' && { clientPublish: values['client-publish'] }),
    ...(maxConnections !== undefined && { maxConnections }),
    ...(maxTokenLifetimeSec !== undefined && { maxTokenLifetimeSec }),
    ...presenceFlags(values),
  };
}

/** `--presence a,b`, `--presence-max-members N`, `--history P:SIZE:TTL` (repeatable) or `--history none`. */
function presenceFlags(values: Values): Partial<AppSettings> {
  const out: Partial<AppSettings> = {};
  if (typeof values.presence === 'string')
    out.presence = values.presence
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
  const max = integer(values['presence-max-members'], '--presence-max-members', 1, 100_000);
  if (max !== undefined) out.presenceMaxMembers = max;
  const frames = values['server-frames'];
  if (frames !== undefined) {
    if (frames !== 'beacon' && frames !== 'firetower')
      throw new CliError('--server-frames must be beacon or firetower');
    out.serverFrames = frames;
  }
  if (Array.isArray(values.history)) {
    out.history = values.history
      .filter((h) => h !== 'none')
      .map((h) => {
        const m = /^(.+):(\d+):(\d+)$/.exec(h);
        if (m === null)
          throw new CliError(
            `--history ${JSON.stringify(h)}: give PATTERN:SIZE:TTLSEC, e.g. 'room.*:200:300'`,
          );
        return { pattern: m[1]!, size: Number(m[2]), ttlSec: Number(m[3]) };
      });
  }
  return out;
}

/** Columns padded to width; every cell made printable (names and ids come from tenants and clients). */
function table(cells: string[][]): string[] {
  const rows = cells.map((r) => r.map(printable));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

/** Runs one CLI command; returns the exit code. Never prints a secret except the one it just issued. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    (argv.length === 0 ? io.err : io.out)(USAGE);
    return argv.length === 0 ? 1 : 0;
  }
  const command = argv.slice(0, 2).join(' ');
  const options = COMMANDS[command];
  if (options === undefined) {
    io.err(`beacon: unknown command "${argv.slice(0, 2).join(' ')}" (see beacon --help)`);
    return 1;
  }
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv.slice(2),
      options,
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    }) as {
      values: Values;
      positionals: string[];
    });
  } catch (err) {
    io.err(`beacon ${command}: ${(err as Error).message}`);
    return 1;
  }

  const dataDir = resolve(io.env.BEACON_DATA_DIR || './data');
  const databaseUrl = io.env.BEACON_DATABASE_URL || `file:${join(dataDir, 'beacon.db')}`;
  const actor = cliActor(io.username ?? safeUsername());
  let persistence: Persistence | undefined;
  try {
    await migrate({ databaseUrl });
    persistence = await Persistence.open({
      databaseUrl,
      dataDir,
      secretKey: io.env.BEACON_SECRET_KEY || undefined,
    });
    await dispatch(command, values, positionals, persistence, io, actor);
    return 0;
  } catch (err) {
    if (err instanceof CliError || err instanceof PersistenceError || err instanceof AdminException) {
      io.err(`beacon ${command}: ${err.message}`);
      return 1;
    }
    io.err(`beacon ${command}: unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await persistence?.close();
  }
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function dispatch(
  command: string,
  values: Values,
  positionals: string[],
  p: Persistence,
  io: CliIo,
  actor: Actor,
): Promise<void> {
  // The same audited use cases as the admin API (@beacon/admin), with actor cli:<user>.
  const uc = new AdminUseCases(p);
  const noPositionals = (): void => {
    if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"`);
  };

  switch (command) {
    case 'apps create': {
      noPositionals();
      if (typeof values.name !== 'string') throw new CliError('--name is required');
      const settings = settingsFlags(values);
      const key = typeof values.key === 'string' ? values.key : undefined;
      const { app, secret, tokenKey } = await uc.createApp(actor, { name: values.name, key, settings });
      io.out(`Created app "${printable(app.name)}"`);
      io.out(`  key:         ${app.key}`);
      io.out(`  secret:      ${secret}`);
      io.out(`  token key:   ${tokenKey.secret}`);
      io.out(`  token kid:   ${tokenKey.kid}  (HS256)`);
      io.out('The secret authenticates your backend to the push API (Authorization: Bearer <secret>);');
      io.out('the token key signs client tokens (HS256, header kid optional).');
      io.out('Store both now: they will not be shown again.');
      return;
    }
    case 'apps update': {
      const key = keyArg(positionals, command);
      const settings = { ...settingsFlags(values), ...overrideFlags(values) };
      if (Object.keys(settings).length === 0 && values.name === undefined)
        throw new CliError('nothing to change: give a setting flag (see beacon --help)');
      const name = typeof values.name === 'string' ? values.name : undefined;
      const app = await uc.updateApp(actor, key, { name, settings });
      const s = app.settings;
      const limit = (v: number | null): string => (v === null ? 'default' : String(v));
      io.out(
        `App ${app.key} updated: anonymous ${s.allowAnonymous ? 'yes' : 'no'}, client publish ${s.clientPublish ? 'yes' : 'no'}, ` +
          `max connections ${s.maxConnections}, max token lifetime ${s.maxTokenLifetimeSec} s, ` +
          `publish rate ${limit(s.publishRate)}/burst ${limit(s.publishBurst)}, max topics ${limit(s.maxTopicsPerConnection)}, ` +
          `max message bytes ${limit(s.maxMessageBytes)}, ` +
          `presence [${s.presence.map(printable).join(', ')}] (max ${s.presenceMaxMembers}), ` +
          `history [${s.history.map((h) => `${printable(h.pattern)}:${h.size}:${h.ttlSec}`).join(', ')}].`,
      );
      return;
    }
    case 'apps list': {
      noPositionals();
      const apps = await p.apps.list();
      if (values.json === true) {
        io.out(JSON.stringify(apps, null, 2));
        return;
      }
      if (apps.length === 0) {
        io.out('No apps yet: beacon apps create --name NAME');
        return;
      }
      const head = [
        'KEY',
        'NAME',
        'ENABLED',
        'ANONYMOUS',
        'CLIENT-PUBLISH',
        'MAX-CONN',
        'TOKEN-TTL',
        'CREATED',
      ];
      const rows = apps.map((a) => [
        a.key,
        a.name,
        a.enabled ? 'yes' : 'no',
        a.settings.allowAnonymous ? 'yes' : 'no',
        a.settings.clientPublish ? 'yes' : 'no',
        String(a.settings.maxConnections),
        `${a.settings.maxTokenLifetimeSec}s`,
        a.createdAt.toISOString(),
      ]);
      for (const line of table([head, ...rows])) io.out(line);
      return;
    }
    case 'apps rotate': {
      const key = keyArg(positionals, command);
      const { secret } = await uc.rotateSecret(actor, key);
      io.out(`New push secret for ${key}: ${secret}`);
      io.out('The previous secret is revoked. Store this one now: it will not be shown again.');
      return;
    }
    case 'keys list': {
      const key = keyArg(positionals, command);
      const keys = await p.apps.listTokenKeys(key, { includeRevoked: values.all === true });
      if (values.json === true) {
        io.out(JSON.stringify(keys, null, 2));
        return;
      }
      if (keys.length === 0) {
        io.out(`App ${key} has no active token keys: beacon keys rotate ${key}`);
        return;
      }
      const head = ['KID', 'ALG', 'STATE', 'CREATED', 'NOTE'];
      const rows = keys.map((k) => [
        k.kid,
        k.alg,
        k.revokedAt === null ? 'active' : `revoked ${k.revokedAt.toISOString()}`,
        k.createdAt.toISOString(),
        k.carriedOver ? 'the push secret of an older version: revoked with it' : '',
      ]);
      for (const line of table([head, ...rows])) io.out(line);
      return;
    }
    case 'keys rotate': {
      const key = keyArg(positionals, command);
      const { tokenKey } = await uc.rotateTokenKey(actor, key);
      io.out(`New token key for ${key} (HS256, kid ${tokenKey.kid}): ${tokenKey.secret}`);
      io.out('The other HS256 keys are revoked; clients whose tokens they signed are disconnected.');
      io.out('Store this one now: it will not be shown again.');
      return;
    }
    case 'keys add': {
      const key = keyArg(positionals, command);
      const alg = values.alg;
      if (alg !== 'ES256' && alg !== 'EdDSA' && alg !== 'RS256')
        throw new CliError('--alg must be ES256, EdDSA or RS256 (HS256 keys come from keys rotate)');
      const file = values['public-key'];
      if (typeof file !== 'string') throw new CliError('--public-key FILE is required');
      let publicKey: string;
      try {
        publicKey = readFileSync(file, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
      }
      const kid = typeof values.kid === 'string' ? values.kid : undefined;
      const { key: added } = await uc.addPublicKey(actor, key, { alg, kid, publicKey });
      io.out(
        `Added ${added.alg} key ${added.kid} to ${key}. Sign client tokens with header {"alg":"${added.alg}","kid":"${added.kid}"}.`,
      );
      return;
    }
    case 'keys revoke': {
      const key = keyArg(positionals, command, '<kid>');
      const kid = positionals[1]!;
      await uc.revokeKey(actor, key, kid);
      io.out(`Key ${printable(kid)} of ${key} revoked.`);
      return;
    }
    case 'apps disable':
    case 'apps enable': {
      const key = keyArg(positionals, command);
      const enabled = command === 'apps enable';
      await uc.setEnabled(actor, key, enabled);
      io.out(`App ${key} ${enabled ? 'enabled' : 'disabled'}.`);
      return;
    }
    case 'apps delete': {
      const key = keyArg(positionals, command);
      // typing the key on the command line is the confirmation
      await uc.deleteApp(actor, key, key);
      io.out(`App ${key} deleted.`);
      return;
    }
    case 'operators create': {
      noPositionals();
      if (typeof values.email !== 'string') throw new CliError('--email is required');
      const fromStdin = values['password-stdin'] === true;
      if (fromStdin === (typeof values.password === 'string')) {
        throw new CliError('give exactly one of --password-stdin or --password');
      }
      const password = fromStdin ? (await io.readStdin()).replace(/\r?\n$/, '') : (values.password as string);
      const role = (values.role ?? 'viewer') as OperatorRole;
      if (!OPERATOR_ROLES.includes(role)) throw new CliError('--role must be admin or viewer');
      const { operator: op } = await uc.createOperator(actor, { email: values.email, password, role });
      io.out(`Operator ${op.email} created (${op.role}).`);
      return;
    }
    case 'operators list': {
      noPositionals();
      const ops = await p.operators.list();
      if (values.json === true) {
        io.out(JSON.stringify(ops, null, 2));
        return;
      }
      const head = ['EMAIL', 'ROLE', 'STATE', 'CREATED', 'LAST-SIGN-IN'];
      const rows = ops.map((o) => [
        o.email,
        o.role,
        o.disabled ? 'disabled' : 'enabled',
        o.createdAt.toISOString(),
        o.lastSignInAt?.toISOString() ?? '-',
      ]);
      for (const line of table([head, ...rows])) io.out(line);
      return;
    }
    case 'operators update': {
      const email = keyArg(positionals, command).trim().toLowerCase();
      if (values.disable === true && values.enable === true)
        throw new CliError('give at most one of --disable and --enable');
      const role = values.role as OperatorRole | undefined;
      if (role !== undefined && !OPERATOR_ROLES.includes(role))
        throw new CliError('--role must be admin or viewer');
      const disabled = values.disable === true ? true : values.enable === true ? false : undefined;
      if (role === undefined && disabled === undefined)
        throw new CliError('nothing to change: give --role, --disable or --enable');
      const found = (await p.operators.list()).find((o) => o.email === email);
      if (found === undefined) throw new CliError(`no operator ${JSON.stringify(email)}`);
      const op = await uc.updateOperator(actor, found.id, {
        ...(role !== undefined && { role }),
        ...(disabled !== undefined && { disabled }),
      });
      io.out(`Operator ${op.email}: ${op.role}, ${op.disabled ? 'disabled (signed out)' : 'enabled'}.`);
      return;
    }
    case 'audit tail': {
      noPositionals();
      const limit = integer(values.limit, '--limit', 1, 1000) ?? 20;
      let appId: string | undefined;
      if (typeof values.app === 'string') {
        const app = await p.apps.findByKey(values.app);
        if (!app) throw new CliError(`no app with key "${values.app}"`);
        appId = app.id;
      }
      const records = await p.audit.query({ appId, limit });
      for (const r of records.reverse()) {
        const parts = [r.ts.toISOString(), r.actor, r.action, r.target ?? '-', r.result];
        if (r.remoteAddr) parts.push(r.remoteAddr);
        if (r.count > 1) parts.push(`×${r.count}`);
        // Actors, targets and addresses come from clients and tenants: never raw control characters.
        io.out(parts.map(printable).join('  '));
      }
      if (records.length === 0) io.out('No audit records.');
      return;
    }
  }
}

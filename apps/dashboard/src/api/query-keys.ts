/** React Query keys shared across pages (invalidated by mutations elsewhere). */
export const SESSION_KEY = ['session'] as const;
export const APPS_KEY = ['apps'] as const;
export const OPERATORS_KEY = ['operators'] as const;

export const appKey = (key: string) => ['apps', key] as const;
export const appKeysKey = (key: string) => ['apps', key, 'keys'] as const;
export const topicsKey = (q: object) => ['topics', q] as const;
export const topicKey = (app: string, topic: string) => ['topic', app, topic] as const;
export const connectionsKey = (q: object) => ['connections', q] as const;
export const connectionKey = (clientId: string) => ['connection', clientId] as const;
export const auditKey = (q: object) => ['audit', q] as const;

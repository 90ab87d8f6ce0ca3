import { AdminClient } from '@beacon/admin-api';
import { createContext, useContext, type ReactNode } from 'react';

/** What opens a server-sent-events stream; tests pass a fake, the browser uses EventSource. */
export type EventSourceFactory = (url: string) => EventSource;

export interface Api {
  client: AdminClient;
  openStream: EventSourceFactory;
}

const defaultApi: Api = {
  client: new AdminClient(),
  openStream: (url) => new EventSource(url, { withCredentials: true }),
};

const ApiContext = createContext<Api>(defaultApi);

export function ApiProvider({ api, children }: { api?: Api; children: ReactNode }): ReactNode {
  return <ApiContext.Provider value={api ?? defaultApi}>{children}</ApiContext.Provider>;
}

/** The one admin API client (same origin: the dashboard is served by the platform it manages). */
export function useClient(): AdminClient {
  return useContext(ApiContext).client;
}

export function useApi(): Api {
  return useContext(ApiContext);
}

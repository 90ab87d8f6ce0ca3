import type { App } from '@beacon/admin-api';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useClient } from './api-context.js';
import { APPS_KEY } from './query-keys.js';

/** Every app (cached for the filters of several pages). */
export function useApps(): UseQueryResult<{ items: App[] }> {
  const client = useClient();
  return useQuery({ queryKey: APPS_KEY, queryFn: () => client.call('apps'), staleTime: 30_000 });
}

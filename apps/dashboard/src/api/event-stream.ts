import type { CallInput, StreamEvents, StreamRouteName } from '@beacon/admin-api';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import { useApi } from './api-context.js';
import { SESSION_KEY } from './query-keys.js';
import { usePageVisible } from './visibility.js';

/** `paused`: the page is hidden, so the stream is closed until it is visible again. */
export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'off';

export type StreamHandlers<N extends StreamRouteName> = {
  [K in keyof StreamEvents<N>]?: (data: StreamEvents<N>[K]) => void;
} & { onOpen?: () => void };

const MAX_BACKOFF_MS = 15_000;
const CLOSED = 2; // EventSource.CLOSED

/**
 * Subscribes to one of the admin API's server-sent-event streams while the page is visible. The stream is
 * closed when the page is hidden and opened again (the server then starts over, e.g. with `history`) when it
 * is shown. A stream the server ends (401 after a session expired, a restart) makes the session be checked
 * again, so an expired session leads to the sign-in page; otherwise it is retried with a growing delay.
 * Handlers may change on every render; only `name`, the input and `enabled` reopen the stream.
 */
export function useEventStream<N extends StreamRouteName>(
  name: N,
  input: CallInput<N> | undefined,
  handlers: StreamHandlers<N>,
  enabled = true,
): StreamStatus {
  const api = useApi();
  const queryClient = useQueryClient();
  const visible = usePageVisible();
  // The state reported by the current source's callbacks, tagged with the source it belongs to.
  const [reported, setReported] = useState<{ tag: string; status: StreamStatus }>({ tag: '', status: 'off' });
  const [attempt, setAttempt] = useState(0);
  const failures = useRef(0);
  // The input's content, not its identity, decides the URL.
  const inputKey = JSON.stringify(input ?? null);
  const url = useMemo(
    () =>
      (api.client.streamUrl as (n: N, i?: CallInput<N>) => string)(
        name,
        (JSON.parse(inputKey) as CallInput<N> | null) ?? undefined,
      ),
    [api.client, name, inputKey],
  );
  const eventNames = Object.keys(handlers)
    .filter((k) => k !== 'onOpen')
    .sort()
    .join(',');

  const dispatch = useEffectEvent((event: string, raw: string) => {
    const handler = (handlers as Record<string, ((data: unknown) => void) | undefined>)[event];
    if (handler === undefined) return;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      return; // a malformed event is skipped, the stream goes on
    }
    handler(data);
  });
  const opened = useEffectEvent(() => handlers.onOpen?.());

  const tag = `${url}#${attempt}`;
  useEffect(() => {
    if (!enabled || !visible) return;
    const source = api.openStream(url);
    let retry: ReturnType<typeof setTimeout> | undefined;
    const listeners = eventNames
      .split(',')
      .filter((n) => n !== '')
      .map((n) => {
        const listener = (e: Event): void => dispatch(n, (e as MessageEvent<string>).data);
        source.addEventListener(n, listener);
        return [n, listener] as const;
      });
    source.onopen = () => {
      failures.current = 0;
      setReported({ tag, status: 'live' });
      opened();
    };
    source.onerror = () => {
      setReported({ tag, status: 'reconnecting' });
      if (source.readyState !== CLOSED) return; // EventSource reconnects by itself
      // A 401 from the stream surfaces through the session query; anything else is retried.
      void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** failures.current++);
      retry = setTimeout(() => setAttempt((a) => a + 1), delay);
    };
    return () => {
      if (retry !== undefined) clearTimeout(retry);
      for (const [n, l] of listeners) source.removeEventListener(n, l);
      source.onopen = null;
      source.onerror = null;
      source.close();
      setReported({ tag: '', status: 'off' });
    };
  }, [api, url, tag, eventNames, visible, enabled, queryClient]);

  if (!enabled) return 'off';
  if (!visible) return 'paused';
  if (reported.tag !== tag) return attempt === 0 ? 'connecting' : 'reconnecting';
  return reported.status;
}

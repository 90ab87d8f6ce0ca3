import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeProblem } from '../../test/fake-api.js';
import { topic } from '../../test/data.js';
import { renderApp } from '../../test/render.js';

describe('Topics', () => {
  it('shows skeleton rows while loading, then the page from the server', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    renderApp('/topics', {
      handlers: {
        topics: async () => {
          await gate;
          return { items: [topic('rooms/a', 1200), topic('rooms/b', 3)], nextCursor: 'c2', total: 120 };
        },
      },
    });
    const table = await screen.findByRole('table', { name: 'Topics' });
    expect(table).toHaveAttribute('aria-busy', 'true');
    release();
    expect(await screen.findByRole('link', { name: 'rooms/a' })).toBeInTheDocument();
    expect(screen.getByText('1–2 of 120 topics')).toBeInTheDocument();
    expect(within(table).getByText('1,200')).toBeInTheDocument();
  });

  it('searches by prefix and sorts on the server, and pages with the cursor', async () => {
    const user = userEvent.setup();
    const { calls } = renderApp('/topics', {
      handlers: {
        topics: (c) => ({
          items: [topic(`${c.query['prefix'] ?? ''}x`, 1)],
          nextCursor: 'next-1',
          total: null,
        }),
      },
    });
    await screen.findByRole('link', { name: 'x' });
    await user.type(screen.getByLabelText('Topic prefix'), 'chat/');
    await screen.findByRole('link', { name: 'chat/x' });
    await user.click(screen.getByRole('button', { name: 'Busiest' }));
    await user.click(screen.getByRole('button', { name: /Next/ }));
    await waitFor(() =>
      expect(calls.filter((c) => c.name === 'topics').at(-1)?.query).toEqual({
        prefix: 'chat/',
        sort: 'rate',
        cursor: 'next-1',
        limit: '50',
      }),
    );
    expect(screen.getByText('Page 2')).toBeInTheDocument();
  });

  it('says when nothing matches, and shows a failed load with a retry', async () => {
    let fail = true;
    renderApp('/topics?prefix=nope', {
      handlers: {
        topics: () => {
          if (fail) throw new FakeProblem('unavailable', 'The topic-service does not answer.');
          return { items: [], nextCursor: null, total: 0 };
        },
      },
    });
    expect(await screen.findByText('The topic-service does not answer.')).toBeInTheDocument();
    fail = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('No topic matches')).toBeInTheDocument();
  });
});

describe('Topic page', () => {
  const detail = {
    ...topic('rooms/general', 30),
    nodes: [
      { nodeId: 'gw-1', subscribers: 20 },
      { nodeId: 'gw-2', subscribers: 10 },
    ],
  };

  it('shows subscribers per node and the live tail', async () => {
    const { stream } = renderApp('/topics/chat/rooms%2Fgeneral', { handlers: { topic: () => detail } });
    const table = await screen.findByRole('table', { name: 'Subscribers per node' });
    expect(within(table).getByText('gw-2')).toBeInTheDocument();
    const tail = stream('topicTail');
    expect(tail?.url).toBe('/admin/v1/apps/chat/topics/rooms%2Fgeneral/tail');
    act(() => {
      tail?.open();
      tail?.emit('message', { id: 'm1', ts: Date.now(), dataJson: '{"text":"hello"}', truncated: false });
      tail?.emit('dropped', { dropped: 7 });
    });
    expect(screen.getByRole('log')).toHaveTextContent('"text": "hello"');
    expect(screen.getByText('7 skipped')).toBeInTheDocument();
  });

  it('lets an admin publish JSON (and refuses text that is not JSON)', async () => {
    const user = userEvent.setup();
    const { calls } = renderApp('/topics/chat/rooms%2Fgeneral', {
      handlers: { topic: () => detail, publish: () => ({ id: 'msg-1', ts: 1 }) },
    });
    const box = await screen.findByLabelText('Message (JSON)');
    await user.clear(box);
    await user.type(box, 'not json');
    expect(screen.getByRole('button', { name: 'Publish' })).toBeDisabled();
    await user.clear(box);
    await user.type(box, '{{"n":1}');
    await user.click(screen.getByRole('button', { name: 'Publish' }));
    expect(await screen.findByText('Published message msg-1')).toBeInTheDocument();
    expect(calls.find((c) => c.name === 'publish')).toMatchObject({
      params: { key: 'chat' },
      body: { topic: 'rooms/general', data: { n: 1 } },
    });
  });

  it('has no publish form for a viewer', async () => {
    renderApp('/topics/chat/rooms%2Fgeneral', { role: 'viewer', handlers: { topic: () => detail } });
    await screen.findByRole('table', { name: 'Subscribers per node' });
    expect(screen.queryByRole('button', { name: 'Publish' })).toBeNull();
  });
});

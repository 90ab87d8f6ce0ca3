import { act, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { history, snapshot, T0 } from '../../test/data.js';
import { FakeUplot } from '../../test/fake-uplot.js';
import { renderApp } from '../../test/render.js';

function setVisibility(state: 'visible' | 'hidden'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

afterEach(() => {
  setVisibility('visible');
  FakeUplot.instances.length = 0;
});

describe('Overview', () => {
  it('waits for the first sample, then shows totals, nodes, apps and top topics', async () => {
    const { stream } = renderApp('/');
    expect(await screen.findByText('Waiting for the first sample…')).toBeInTheDocument();
    const s = stream('statsStream');
    expect(s).toBeDefined();
    act(() => {
      s?.open();
      s?.emit('history', history(T0, 5));
      s?.emit('snapshot', snapshot(T0));
    });
    expect(screen.getByText('Live')).toBeInTheDocument();
    expect(within(screen.getByRole('group', { name: 'Connections' })).getByText('48.2K')).toBeInTheDocument();
    expect(
      within(screen.getByRole('group', { name: 'Bytes out' })).getByText('3.4 MB/s'),
    ).toBeInTheDocument();
    const nodes = screen.getByRole('table', { name: 'Nodes' });
    expect(within(nodes).getAllByRole('row')).toHaveLength(3);
    expect(within(nodes).getByText('degraded')).toBeInTheDocument();
    expect(within(nodes).getByText('3d 4h')).toBeInTheDocument();
    expect(screen.getByText('busiest 2, 3 more')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'rooms/general' })).toHaveAttribute(
      'href',
      '/topics/chat/rooms%2Fgeneral',
    );
  });

  it('draws each chart once and feeds new samples to uPlot with setData (no re-creation)', async () => {
    const { stream } = renderApp('/');
    await screen.findByText('Waiting for the first sample…');
    const s = stream('statsStream');
    act(() => {
      s?.open();
      s?.emit('history', history(T0, 5));
      s?.emit('snapshot', snapshot(T0));
    });
    const charts = FakeUplot.live();
    expect(charts).toHaveLength(5); // deliveries, publishes, connections, bytes out, closes
    expect(charts[0]?.data[0]).toHaveLength(6); // seeded from history at once
    for (let i = 1; i <= 3; i++) act(() => s?.emit('snapshot', snapshot(T0 + i * 1000)));
    expect(FakeUplot.live()).toEqual(charts);
    expect(charts[0]?.setDataCalls).toHaveLength(3);
    expect((charts[0]?.setDataCalls.at(-1)?.[0] as number[]).at(-1)).toBe((T0 + 3000) / 1000);
  });

  it('closes the stream while the page is hidden and starts over (history again) when it is shown', async () => {
    const { stream, streams } = renderApp('/');
    await screen.findByText('Waiting for the first sample…');
    const first = stream('statsStream');
    act(() => {
      first?.open();
      first?.emit('history', history(T0, 5));
      first?.emit('snapshot', snapshot(T0));
    });
    act(() => setVisibility('hidden'));
    expect(first?.closed).toBe(true);
    expect(screen.getByText('Paused')).toBeInTheDocument();
    const opened = streams.length;
    act(() => setVisibility('visible'));
    const second = stream('statsStream');
    expect(streams.length).toBe(opened + 1);
    expect(second).not.toBe(first);
    act(() => {
      second?.open();
      second?.emit('history', history(T0 + 60_000, 7));
    });
    expect(FakeUplot.live()[0]?.setDataCalls.at(-1)?.[0]).toHaveLength(7);
  });
});

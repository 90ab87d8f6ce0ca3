import { act, fireEvent, render, screen } from '@testing-library/react';
import { useEffect, type ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ThemeProvider, useTheme } from './theme.js';

afterEach(() => localStorage.clear());

/** Reads the document's theme in a passive effect on every theme change, as the charts do. */
function Reader({ seen }: { seen: string[] }): ReactNode {
  const { theme, setChoice } = useTheme();
  useEffect(() => {
    seen.push(document.documentElement.dataset['theme'] ?? '');
  }, [theme, seen]);
  return (
    <>
      <button onClick={() => setChoice('dark')}>dark</button>
      <button onClick={() => setChoice('light')}>light</button>
    </>
  );
}

describe('ThemeProvider', () => {
  it('has the document on the new theme before any child effect reads it', () => {
    const seen: string[] = [];
    render(
      <ThemeProvider>
        <Reader seen={seen} />
      </ThemeProvider>,
    );
    act(() => fireEvent.click(screen.getByRole('button', { name: 'dark' })));
    act(() => fireEvent.click(screen.getByRole('button', { name: 'light' })));
    expect(seen).toEqual(['light', 'dark', 'light']);
  });
});

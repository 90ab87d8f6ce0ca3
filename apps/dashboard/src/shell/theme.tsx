import {
  createContext,
  useContext,
  useLayoutEffect,
  useMemo,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'beacon.theme';

interface ThemeState {
  choice: ThemeChoice;
  theme: Theme;
  setChoice: (c: ThemeChoice) => void;
}

const ThemeContext = createContext<ThemeState>({
  choice: 'system',
  theme: 'light',
  setChoice: () => undefined,
});

const media = (): MediaQueryList | null =>
  typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

function subscribeSystem(onChange: () => void): () => void {
  const m = media();
  m?.addEventListener('change', onChange);
  return () => m?.removeEventListener('change', onChange);
}

function readChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** Light and dark themes: the operator's choice (kept in localStorage) or the system's preference. */
export function ThemeProvider({ children }: { children: ReactNode }): ReactNode {
  const [choice, setChoiceState] = useState<ThemeChoice>(readChoice);
  const systemDark = useSyncExternalStore(
    subscribeSystem,
    () => media()?.matches === true,
    () => false,
  );
  const theme: Theme = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;

  // A layout effect: it runs before every passive effect of the tree, so charts that read the theme's CSS
  // colours in their own effects (time-chart.tsx) see the new theme, not the previous one.
  useLayoutEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);

  const value = useMemo<ThemeState>(
    () => ({
      choice,
      theme,
      setChoice: (c) => {
        setChoiceState(c);
        try {
          if (c === 'system') localStorage.removeItem(STORAGE_KEY);
          else localStorage.setItem(STORAGE_KEY, c);
        } catch {
          // private mode: the choice lasts for this page only
        }
      },
    }),
    [choice, theme],
  );
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
}

export function useTheme(): ThemeState {
  return useContext(ThemeContext);
}

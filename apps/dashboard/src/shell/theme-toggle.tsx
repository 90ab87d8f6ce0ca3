import { Monitor, Moon, Sun } from 'lucide-react';
import type { ReactNode } from 'react';
import { Button } from '../ui/button.js';
import { useTheme, type ThemeChoice } from './theme.js';

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<ThemeChoice, string> = {
  system: 'System theme',
  light: 'Light theme',
  dark: 'Dark theme',
};

/** Cycles system → light → dark. */
export function ThemeToggle(): ReactNode {
  const { choice, setChoice } = useTheme();
  const icon =
    choice === 'dark' ? <Moon size={16} /> : choice === 'light' ? <Sun size={16} /> : <Monitor size={16} />;
  return (
    <Button
      variant="ghost"
      icon={icon}
      onClick={() => setChoice(NEXT[choice])}
      aria-label={`${LABEL[choice]} (switch to ${LABEL[NEXT[choice]].toLowerCase()})`}
      title={`${LABEL[choice]}: click for ${LABEL[NEXT[choice]].toLowerCase()}`}
      data-theme-choice={choice}
    />
  );
}

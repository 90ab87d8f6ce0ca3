import { Check, Copy } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import { Button } from './button.js';

/** Copies `value` to the clipboard and says so for two seconds. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }): ReactNode {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(t);
  }, [copied]);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // clipboard refused (insecure context): select-and-copy fallback
      const area = document.createElement('textarea');
      area.value = value;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
  };
  return (
    <Button
      size="sm"
      variant={copied ? 'secondary' : 'primary'}
      icon={copied ? <Check size={14} /> : <Copy size={14} />}
      onClick={() => void copy()}
      aria-label={`${label}: ${copied ? 'copied' : 'copy to clipboard'}`}
    >
      {copied ? 'Copied' : label}
    </Button>
  );
}

/** A secret shown exactly once, with its copy button. */
export function SecretValue({
  label,
  value,
  hint,
}: {
  label: string;
  value: string;
  hint?: string;
}): ReactNode {
  return (
    <div className="secret">
      <span className="secret-label">{label}</span>
      <div className="secret-value">
        <code data-testid="secret">{value}</code>
        <CopyButton value={value} label="Copy" />
      </div>
      {hint !== undefined && <small className="faint">{hint}</small>}
    </div>
  );
}

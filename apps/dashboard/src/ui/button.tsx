import type { ButtonHTMLAttributes, ReactNode } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: 'sm' | 'md';
  icon?: ReactNode;
  /** Shows a spinner and disables the button. */
  busy?: boolean;
}

export function Button({
  variant = 'secondary',
  size = 'md',
  icon,
  busy = false,
  children,
  className,
  disabled,
  type = 'button',
  ...rest
}: ButtonProps): ReactNode {
  const classes = ['btn'];
  if (variant !== 'secondary') classes.push(`btn-${variant}`);
  if (size === 'sm') classes.push('btn-sm');
  if (children === undefined || children === null) classes.push('btn-icon');
  if (className !== undefined) classes.push(className);
  return (
    <button type={type} className={classes.join(' ')} disabled={disabled === true || busy} {...rest}>
      {busy ? <span className="spinner" style={{ width: 14, height: 14 }} aria-hidden /> : icon}
      {children}
    </button>
  );
}

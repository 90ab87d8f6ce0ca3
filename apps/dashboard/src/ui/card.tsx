import type { ReactNode } from 'react';

export function Card({
  title,
  sub,
  actions,
  flush = false,
  children,
  className,
  labelledBy,
}: {
  title?: ReactNode;
  sub?: ReactNode;
  actions?: ReactNode;
  /** No padding around the body (tables, lists). */
  flush?: boolean;
  children: ReactNode;
  className?: string;
  labelledBy?: string;
}): ReactNode {
  const classes = ['card'];
  if (flush) classes.push('card-flush');
  if (className !== undefined) classes.push(className);
  return (
    <section className={classes.join(' ')} aria-labelledby={labelledBy}>
      {(title !== undefined || actions !== undefined) && (
        <header className="card-head">
          <h2 id={labelledBy}>
            {title}
            {sub !== undefined && <span className="sub">{sub}</span>}
          </h2>
          {actions}
        </header>
      )}
      <div className="card-body">{children}</div>
    </section>
  );
}

export function Stat({ label, value, sub }: { label: string; value: ReactNode; sub?: ReactNode }): ReactNode {
  return (
    <div className="stat" role="group" aria-label={label}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub !== undefined && <div className="stat-sub">{sub}</div>}
    </div>
  );
}

/** A definition list of labelled values (a connection's or an app's facts). */
export function KeyValues({ items }: { items: Array<[string, ReactNode]> }): ReactNode {
  return (
    <dl className="kv">
      {items.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

import { ChevronRight } from 'lucide-react';
import { Fragment, useEffect, type ReactNode } from 'react';
import { Link } from 'react-router';

export interface Crumb {
  label: string;
  to?: string;
}

/** A page's title, description, breadcrumbs and actions; also sets the document title. */
export function PageHeader({
  title,
  description,
  crumbs,
  actions,
}: {
  title: ReactNode;
  description?: ReactNode;
  crumbs?: Crumb[];
  actions?: ReactNode;
}): ReactNode {
  const text = typeof title === 'string' ? title : (crumbs?.at(-1)?.label ?? '');
  useEffect(() => {
    document.title = text === '' ? 'Beacon' : `${text} · Beacon`;
  }, [text]);
  return (
    <div className="page-header">
      <div className="titles">
        {crumbs !== undefined && crumbs.length > 0 && (
          <nav className="crumbs" aria-label="Breadcrumbs">
            {crumbs.map((c, i) => (
              <Fragment key={`${c.label}-${i}`}>
                {i > 0 && <ChevronRight size={14} aria-hidden />}
                {c.to !== undefined ? <Link to={c.to}>{c.label}</Link> : <span>{c.label}</span>}
              </Fragment>
            ))}
          </nav>
        )}
        <h1>{title}</h1>
        {description !== undefined && <p>{description}</p>}
      </div>
      {actions !== undefined && <div className="actions">{actions}</div>}
    </div>
  );
}

import { Compass } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { PageHeader } from '../ui/page.js';
import { EmptyState } from '../ui/states.js';

export function NotFoundPage(): ReactNode {
  return (
    <>
      <PageHeader title="Page not found" />
      <div className="card">
        <EmptyState
          icon={<Compass size={22} />}
          title="Nothing here"
          action={<Link to="/">Back to the overview</Link>}
        >
          This address does not match a page of the console.
        </EmptyState>
      </div>
    </>
  );
}

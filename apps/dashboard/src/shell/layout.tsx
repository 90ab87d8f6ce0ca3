import {
  Activity,
  AppWindow,
  Cable,
  LayoutDashboard,
  LogOut,
  Radio,
  ScrollText,
  Server,
  Users,
} from 'lucide-react';
import type { ReactNode } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { useIsAdmin, useOperator, useSession } from '../auth/session.js';
import { Badge } from '../ui/badge.js';
import { Button } from '../ui/button.js';
import { ThemeToggle } from './theme-toggle.js';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  adminOnly?: boolean;
}

const NAV: Array<{ section: string; items: NavItem[] }> = [
  {
    section: 'Monitor',
    items: [
      { to: '/', label: 'Overview', icon: <LayoutDashboard size={17} /> },
      { to: '/topics', label: 'Topics', icon: <Radio size={17} /> },
      { to: '/connections', label: 'Connections', icon: <Cable size={17} /> },
    ],
  },
  {
    section: 'Manage',
    items: [
      { to: '/apps', label: 'Apps & keys', icon: <AppWindow size={17} /> },
      { to: '/audit', label: 'Audit log', icon: <ScrollText size={17} /> },
      { to: '/operators', label: 'Operators', icon: <Users size={17} />, adminOnly: true },
    ],
  },
];

/** The signed-in frame: sidebar navigation, the top bar (platform, theme, operator, sign out), the page. */
export function Layout(): ReactNode {
  const operator = useOperator();
  const isAdmin = useIsAdmin();
  const { signOut } = useSession();
  const navigate = useNavigate();

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden>
            <Activity size={17} />
          </span>
          <span>
            Beacon
            <small>Operator console</small>
          </span>
        </div>
        <nav aria-label="Main">
          {NAV.map((group) => (
            <div key={group.section}>
              <div className="nav-section">{group.section}</div>
              {group.items
                .filter((i) => isAdmin || i.adminOnly !== true)
                .map((i) => (
                  <NavLink
                    key={i.to}
                    to={i.to}
                    end={i.to === '/'}
                    className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')}
                  >
                    {i.icon}
                    {i.label}
                  </NavLink>
                ))}
            </div>
          ))}
        </nav>
        <div className="sidebar-foot">Admin API v1</div>
      </aside>
      <div className="main">
        <header className="topbar">
          <div className="topbar-host">
            <Server size={15} aria-hidden />
            <span>{window.location.host}</span>
          </div>
          <div className="topbar-spacer" />
          <ThemeToggle />
          <div className="operator-chip">
            <span className="avatar" aria-hidden>
              {operator.email.slice(0, 1)}
            </span>
            <span data-testid="operator-email">{operator.email}</span>
            <Badge tone={operator.role === 'admin' ? 'accent' : 'neutral'}>{operator.role}</Badge>
            <Button
              variant="ghost"
              size="sm"
              icon={<LogOut size={15} />}
              onClick={() => {
                void signOut().then(() => navigate('/sign-in', { replace: true }));
              }}
            >
              Sign out
            </Button>
          </div>
        </header>
        <main className="content">
          <Outlet />
        </main>
      </div>
    </div>
  );
}

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Route, Routes } from 'react-router';
import { ApiProvider, type Api } from './api/api-context.js';
import { RequireSession } from './auth/require-session.js';
import { SessionProvider } from './auth/session.js';
import { SignInPage } from './auth/sign-in-page.js';
import { AppPage } from './pages/apps/app-page.js';
import { AppsPage } from './pages/apps/apps-page.js';
import { AuditPage } from './pages/audit/audit-page.js';
import { ConnectionPage } from './pages/connections/connection-page.js';
import { ConnectionsPage } from './pages/connections/connections-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { OperatorsPage } from './pages/operators/operators-page.js';
import { OverviewPage } from './pages/overview/overview-page.js';
import { TopicPage } from './pages/topics/topic-page.js';
import { TopicsPage } from './pages/topics/topics-page.js';
import { Layout } from './shell/layout.js';
import { ThemeProvider } from './shell/theme.js';
import { ToastProvider } from './ui/toast.js';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 2000,
        // 4xx answers are final; network trouble and 5xx get two more tries
        retry: (n, err) =>
          n < 2 &&
          !(
            typeof err === 'object' &&
            err !== null &&
            'status' in err &&
            (err as { status: number }).status >= 400 &&
            (err as { status: number }).status < 500
          ),
        refetchOnWindowFocus: true,
        refetchIntervalInBackground: false,
      },
      mutations: { retry: false },
    },
  });
}

/** The routes under /dashboard/ (the router's basename). */
export function AppRoutes(): ReactNode {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route index element={<OverviewPage />} />
        <Route path="topics" element={<TopicsPage />} />
        <Route path="topics/:app/:topic" element={<TopicPage />} />
        <Route path="connections" element={<ConnectionsPage />} />
        <Route path="connections/:clientId" element={<ConnectionPage />} />
        <Route path="apps" element={<AppsPage />} />
        <Route path="apps/:key" element={<AppPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="operators" element={<OperatorsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

/** Everything but the router (the browser uses BrowserRouter, tests a MemoryRouter). */
export function AppProviders({
  queryClient,
  api,
  children,
}: {
  queryClient: QueryClient;
  api?: Api;
  children: ReactNode;
}): ReactNode {
  return (
    <ThemeProvider>
      <ApiProvider api={api}>
        <QueryClientProvider client={queryClient}>
          <ToastProvider>
            <SessionProvider>{children}</SessionProvider>
          </ToastProvider>
        </QueryClientProvider>
      </ApiProvider>
    </ThemeProvider>
  );
}

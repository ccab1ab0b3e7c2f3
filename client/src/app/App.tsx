import { useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { Provider as UrqlProvider, useQuery } from 'urql';
import { LoginPage } from '../auth/LoginPage';
import { MeQuery } from '../auth/auth.graphql';
import { canViewStudy, defaultSection, sectionsFor, type Section } from '../auth/roles';
import type { SessionStore } from '../auth/session';
import { createApi, type Api } from '../graphql/client';
import { ResearchPage } from '../research/ResearchPage';
import { OpsPage } from '../ops/OpsPage';
import { StudyPage } from '../study/StudyPage';
import { UploadPage } from '../upload/UploadPage';
import { WorklistPage } from '../worklist/WorklistPage';
import { ApiContext, SessionContext, useSession } from './context';
import { Layout } from './Layout';
import { MessagePage, PlaceholderPage } from './Pages';
import { navigate, type Route } from './router';
import { useRoute } from './useRoute';

export function App({ sessions }: { sessions: SessionStore }) {
  const session = useSyncExternalStore(sessions.subscribe, sessions.get);
  const token = session?.token ?? null;
  const [api, setApi] = useState<Api | null>(null);

  // One API client per token: a new login gets a fresh cache and a socket with its credentials.
  useEffect(() => {
    const created = createApi({ token, onUnauthenticated: () => sessions.clear('unauthenticated') });
    setApi(created);
    return () => created.dispose();
  }, [token, sessions]);

  const sessionValue = useMemo(() => (session ? { session, sessions } : null), [session, sessions]);

  if (!api || api.token !== token) {
    return (
      <p className="boot" role="status">
        Loading…
      </p>
    );
  }
  return (
    <ApiContext.Provider value={api}>
      <UrqlProvider value={api.urql}>
        {sessionValue ? (
          <SessionContext.Provider value={sessionValue}>
            <SignedIn />
          </SessionContext.Provider>
        ) : (
          <LoginPage sessions={sessions} />
        )}
      </UrqlProvider>
    </ApiContext.Provider>
  );
}

const SECTION_ROUTES: ReadonlySet<Route['name']> = new Set<Section>(['worklist', 'upload', 'research', 'ops', 'admin']);

function SignedIn() {
  const route = useRoute();
  const { session } = useSession();
  const user = session.user;
  const sections = sectionsFor(user);
  const landing = defaultSection(user);

  // A stored token may have been revoked or the user disabled: ask once, a refusal logs out.
  useQuery({ query: MeQuery, requestPolicy: 'network-only' });

  // Home, the login page, and a section this user does not have (e.g. left in the address bar by
  // the previous user of the tab) lead to the user's own landing page.
  const redirect =
    route.name === 'home' || route.name === 'login' || (SECTION_ROUTES.has(route.name) && !sections.includes(route.name as Section));
  useEffect(() => {
    if (redirect && landing) navigate({ name: landing });
  }, [redirect, landing]);

  let page: ReactNode;
  if (redirect) {
    page = landing ? null : (
      <MessagePage title="No pages for your account">
        Your account has no role in this application yet. Ask an administrator for a hospital membership.
      </MessagePage>
    );
  } else if (SECTION_ROUTES.has(route.name)) {
    const section = route.name as Section;
    if (section === 'worklist') page = <WorklistPage />;
    else if (section === 'upload') page = <UploadPage />;
    else if (section === 'research') page = <ResearchPage />;
    else if (section === 'ops') page = <OpsPage />;
    else page = <PlaceholderPage section={section} />;
  } else if (route.name === 'study') {
    page = canViewStudy(user, route.hospitalId) ? (
      <StudyPage key={`${route.hospitalId}/${route.studyId}`} hospitalId={route.hospitalId} studyId={route.studyId} />
    ) : (
      <NotAllowed />
    );
  } else {
    page = (
      <MessagePage title="Page not found">
        There is no page at this address. Use the navigation above to continue.
      </MessagePage>
    );
  }

  return (
    <Layout route={route} sections={sections}>
      {page}
    </Layout>
  );
}

function NotAllowed() {
  return (
    <MessagePage title="Not available for your role">
      This page belongs to another role or hospital. Use the navigation above to continue.
    </MessagePage>
  );
}

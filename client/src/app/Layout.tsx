import { useEffect, useRef, type ReactNode } from 'react';
import { SECTION_LABELS, type Section } from '../auth/roles';
import { useSession } from './context';
import { ConnectionBadge } from './ConnectionBadge';
import { navigate, routeHref, type Route } from './router';

export function Layout({ route, sections, children }: { route: Route; sections: Section[]; children: ReactNode }) {
  const { session, sessions } = useSession();
  const main = useRef<HTMLElement>(null);
  const routeKey = routeHref(route);

  // After login and after each navigation, keyboard and screen reader users continue at the
  // page's content instead of wherever the previous page left the focus.
  useEffect(() => {
    main.current?.focus();
  }, [routeKey]);

  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="app-header">
        <a className="brand" href="#/">
          Pneumonia triage
        </a>
        <nav aria-label="Main">
          <ul className="nav-list">
            {sections.map((section) => {
              const current = route.name === section || (section === 'worklist' && route.name === 'study');
              return (
                <li key={section}>
                  <a href={routeHref({ name: section })} aria-current={current ? 'page' : undefined}>
                    {SECTION_LABELS[section]}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="header-end">
          <ConnectionBadge />
          <span className="user-name" title={session.user.email}>
            {session.user.displayName}
          </span>
          <button type="button" className="button button--on-dark" onClick={() => {
              sessions.clear('signed-out');
              navigate({ name: 'home' });
            }}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
      <footer className="app-footer">
        A triage aid for prioritising reading lists, not a diagnostic device.
      </footer>
    </div>
  );
}

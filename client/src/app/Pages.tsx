import type { ReactNode } from 'react';
import { SECTION_LABELS, type Section } from '../auth/roles';
import { usePageTitle } from './usePageTitle';

export function MessagePage({ title, children }: { title: string; children: ReactNode }) {
  usePageTitle(title);
  return (
    <section className="page page--narrow">
      <h1>{title}</h1>
      <p>{children}</p>
    </section>
  );
}

const PLACEHOLDER_TEXT: Partial<Record<Section, string>> = {
  admin: 'Hospitals, users, memberships and service credentials will be managed here.',
};

/** Researchers and administrators: their screens come in a later release. */
export function PlaceholderPage({ section }: { section: Section }) {
  const title = SECTION_LABELS[section];
  usePageTitle(title);
  return (
    <section className="page page--narrow">
      <h1>{title}</h1>
      <p>
        The {title.toLowerCase()} pages come later. {PLACEHOLDER_TEXT[section] ?? ''}
      </p>
      <p>Until then, the same operations are available through the GraphQL API at <code>/graphql</code>.</p>
    </section>
  );
}

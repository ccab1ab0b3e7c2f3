import { describe, expect, it } from 'vitest';
import { parseHash, routeHref, type Route } from './router';

describe('hash routes', () => {
  it('parses every page', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/worklist')).toEqual({ name: 'worklist' });
    expect(parseHash('#/upload/')).toEqual({ name: 'upload' });
    expect(parseHash('#/studies/h%201/s2')).toEqual({ name: 'study', hospitalId: 'h 1', studyId: 's2' });
    expect(parseHash('#/studies/h1')).toEqual({ name: 'notFound', path: '/studies/h1' });
    expect(parseHash('#/studies/%E0%A4%A/x')).toEqual({ name: 'notFound', path: '/studies/%E0%A4%A/x' });
  });

  it('round-trips', () => {
    const routes: Route[] = [
      { name: 'home' },
      { name: 'worklist' },
      { name: 'research' },
      { name: 'ops' },
      { name: 'study', hospitalId: 'a/b', studyId: 'c d' },
    ];
    for (const route of routes) expect(parseHash(routeHref(route))).toEqual(route);
  });
});

import { describe, expect, it } from 'vitest';
import { graphqlHttpUrl, graphqlWsUrl, sameOriginPath, studyImagePath } from './urls';

describe('URLs on the page origin', () => {
  it('uses /graphql for HTTP and graphql-ws, with wss under https', () => {
    expect(graphqlHttpUrl({ origin: 'https://triage.example' })).toBe('https://triage.example/graphql');
    expect(graphqlWsUrl({ protocol: 'https:', host: 'triage.example' })).toBe('wss://triage.example/graphql');
    expect(graphqlWsUrl({ protocol: 'http:', host: '127.0.0.1:4000' })).toBe('ws://127.0.0.1:4000/graphql');
  });

  it('escapes ids in the image path', () => {
    expect(studyImagePath('h 1', 's/2')).toBe('/hospitals/h%201/studies/s%2F2/image');
  });

  it('sends upload bytes to the page origin whatever host the URL names', () => {
    expect(sameOriginPath('http://localhost:4000/uploads/h1/tok?x=1', 'http://127.0.0.1:5173')).toBe('/uploads/h1/tok?x=1');
    expect(sameOriginPath('/uploads/h1/tok', 'http://127.0.0.1:4000')).toBe('/uploads/h1/tok');
  });
});

import { useEffect, useState } from 'react';
import { studyImagePath } from '../graphql/urls';

export type StudyImageState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; url: string }
  | { status: 'missing' }
  | { status: 'error'; message: string };

/**
 * The image endpoint needs the bearer token, which an <img src> cannot send: fetch the bytes and
 * show them through an object URL (revoked when the page or the image changes).
 */
export function useStudyImage(
  hospitalId: string,
  studyId: string,
  token: string,
  /** Changes when the stored image changes (e.g. its checksum); null while there is none. */
  version: string | null,
  onUnauthenticated: () => void,
): StudyImageState {
  const [state, setState] = useState<StudyImageState>({ status: 'idle' });

  useEffect(() => {
    if (version === null) {
      setState({ status: 'missing' });
      return;
    }
    const controller = new AbortController();
    let objectUrl: string | null = null;
    setState({ status: 'loading' });
    fetch(studyImagePath(hospitalId, studyId), {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    })
      .then(async (response) => {
        if (response.status === 401) {
          onUnauthenticated();
          return;
        }
        if (response.status === 404) {
          setState({ status: 'missing' });
          return;
        }
        if (!response.ok) {
          setState({ status: 'error', message: `The image could not be loaded (HTTP ${response.status}).` });
          return;
        }
        const blob = await response.blob();
        if (controller.signal.aborted) return;
        objectUrl = URL.createObjectURL(blob);
        setState({ status: 'ready', url: objectUrl });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ status: 'error', message: error instanceof Error ? `The image could not be loaded: ${error.message}` : 'The image could not be loaded.' });
      });
    return () => {
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [hospitalId, studyId, token, version, onUnauthenticated]);

  return state;
}

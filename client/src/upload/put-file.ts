export interface PutResult {
  /** 0 when the request never completed (network error, abort). */
  status: number;
  body: unknown;
}

/**
 * PUTs the bytes with XMLHttpRequest, the one browser API that reports upload progress.
 * Resolves on any answer (the caller interprets the status); never rejects.
 */
export function putFile(
  url: string,
  file: Blob,
  contentType: string,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<PutResult> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('PUT', url);
    request.setRequestHeader('content-type', contentType);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    request.onload = () => {
      let body: unknown = null;
      try {
        body = request.responseText ? JSON.parse(request.responseText) : null;
      } catch {
        body = { message: request.responseText.slice(0, 200) };
      }
      resolve({ status: request.status, body });
    };
    request.onerror = () => resolve({ status: 0, body: null });
    request.onabort = () => resolve({ status: 0, body: { message: 'Cancelled.' } });
    request.ontimeout = () => resolve({ status: 0, body: null });
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(file);
  });
}

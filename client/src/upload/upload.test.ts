import { describe, expect, it } from 'vitest';
import { describeUploadError, localFileProblem, parseStoredImage, uploadContentType, type FileLike } from './upload-files';
import { nextToStart, summarizeQueue, targetStillValid, uploadQueueReducer, type QueuedFile } from './upload-queue';

const file = (name: string, size = 1000, type = 'image/png'): FileLike => ({ name, size, type });
const keyOf = (f: FileLike) => f.name;

function queueOf(...files: FileLike[]): QueuedFile[] {
  return uploadQueueReducer([], { type: 'add', files, keyOf });
}

describe('local file checks', () => {
  it('accepts PNG, JPEG and DICOM, including DICOM without a type or extension', () => {
    expect(localFileProblem(file('a.png'))).toBeNull();
    expect(localFileProblem(file('a.JPG', 10, ''))).toBeNull();
    expect(localFileProblem(file('IM0001', 10, ''))).toBeNull();
    expect(localFileProblem(file('x.dcm', 10, 'application/octet-stream'))).toBeNull();
  });

  it('refuses empty files and documents that are certainly not images', () => {
    expect(localFileProblem(file('a.png', 0))).toBe('The file is empty.');
    expect(localFileProblem(file('report.pdf', 10, 'application/pdf'))).toBe('Not a PNG, JPEG or DICOM file.');
  });

  it('sends a content type even when the browser has none', () => {
    expect(uploadContentType(file('a.dcm', 1, ''))).toBe('application/dicom');
    expect(uploadContentType(file('a.jpeg', 1, ''))).toBe('image/jpeg');
    expect(uploadContentType(file('IM1', 1, ''))).toBe('application/octet-stream');
    expect(uploadContentType(file('a.png', 1, 'image/png'))).toBe('image/png');
  });
});

describe('server answers', () => {
  it('reads the 201 body', () => {
    expect(parseStoredImage({ studyId: 's1', sha256: 'ab', contentType: 'image/png', width: 10, height: 20 })).toEqual({
      studyId: 's1',
      sha256: 'ab',
      contentType: 'image/png',
      width: 10,
      height: 20,
    });
    expect(parseStoredImage({ error: 'X' })).toBeNull();
    expect(parseStoredImage(null)).toBeNull();
  });

  it('explains each refusal and says whether a retry can help', () => {
    expect(describeUploadError(413, { error: 'PAYLOAD_TOO_LARGE', message: 'At most 50 MB' })).toEqual({
      message: 'The file is too large. At most 50 MB',
      retryable: false,
    });
    expect(describeUploadError(415, null).message).toMatch(/not supported/);
    expect(describeUploadError(422, { message: 'DICOM without pixel data' }).message).toBe(
      'The image could not be read. DICOM without pixel data',
    );
    expect(describeUploadError(409, {}).message).toBe('This study already has an image.');
    expect(describeUploadError(0, null)).toEqual({ message: 'The connection was lost during the upload.', retryable: true });
    expect(describeUploadError(503, 'busy')).toEqual({ message: 'The server could not store the file right now.', retryable: true });
    expect(describeUploadError(418, null).message).toBe('The upload failed (HTTP 418).');
  });
});

describe('upload queue', () => {
  it('adds files once, marking the unacceptable ones', () => {
    let queue = queueOf(file('a.png'), file('b.txt', 5, 'text/plain'));
    queue = uploadQueueReducer(queue, { type: 'add', files: [file('a.png'), file('c.png')], keyOf });
    expect(queue.map((e) => [e.key, e.status])).toEqual([
      ['a.png', 'ready'],
      ['b.txt', 'invalid'],
      ['c.png', 'ready'],
    ]);
    expect(queue[1]!.error).toBe('Not a PNG, JPEG or DICOM file.');
  });

  it('tracks progress and the outcome of each file separately', () => {
    let queue = queueOf(file('a.png', 1000), file('b.png', 3000));
    const target = { studyId: 's1', accessionNumber: 'A1', uploadUrl: '/uploads/h/t', expiresAt: '2999-01-01T00:00:00Z' };
    queue = uploadQueueReducer(queue, { type: 'registering', key: 'a.png' });
    queue = uploadQueueReducer(queue, { type: 'registered', key: 'a.png', target });
    queue = uploadQueueReducer(queue, { type: 'progress', key: 'a.png', loaded: 500, total: 1000 });
    expect(queue[0]!.progress).toBe(0.5);
    expect(summarizeQueue(queue).progress).toBeCloseTo(0.125);
    queue = uploadQueueReducer(queue, { type: 'failed', key: 'b.png', message: 'The file is too large.', retryable: false });
    queue = uploadQueueReducer(queue, {
      type: 'done',
      key: 'a.png',
      stored: { studyId: 's1', sha256: 'x', contentType: 'image/png', width: 1, height: 1 },
    });
    expect(queue.map((e) => [e.status, e.error])).toEqual([
      ['done', null],
      ['failed', 'The file is too large.'],
    ]);
    expect(summarizeQueue(queue)).toMatchObject({ total: 2, done: 1, failed: 1, inFlight: 0 });
  });

  it('retries only failures a retry can fix, keeping the registered study', () => {
    const target = { studyId: 's1', accessionNumber: 'A1', uploadUrl: '/u', expiresAt: '2999-01-01T00:00:00Z' };
    let queue = queueOf(file('a.png'), file('b.png'));
    queue = uploadQueueReducer(queue, { type: 'registered', key: 'a.png', target });
    queue = uploadQueueReducer(queue, { type: 'failed', key: 'a.png', message: 'lost', retryable: true });
    queue = uploadQueueReducer(queue, { type: 'failed', key: 'b.png', message: 'bad', retryable: false });
    queue = uploadQueueReducer(queue, { type: 'retry', key: 'a.png' });
    queue = uploadQueueReducer(queue, { type: 'retry', key: 'b.png' });
    expect(queue.map((e) => e.status)).toEqual(['ready', 'failed']);
    expect(queue[0]!.target).toEqual(target);
  });

  it('lets the accession number change until the study is registered', () => {
    let queue = queueOf(file('a.png'));
    queue = uploadQueueReducer(queue, { type: 'setAccession', key: 'a.png', accessionNumber: 'ACC1' });
    expect(queue[0]!.accessionNumber).toBe('ACC1');
    queue = uploadQueueReducer(queue, { type: 'registering', key: 'a.png' });
    queue = uploadQueueReducer(queue, { type: 'setAccession', key: 'a.png', accessionNumber: 'ACC2' });
    expect(queue[0]!.accessionNumber).toBe('ACC1');
  });

  it('never removes a file in flight', () => {
    let queue = queueOf(file('a.png'), file('b.png'));
    queue = uploadQueueReducer(queue, { type: 'registering', key: 'a.png' });
    queue = uploadQueueReducer(queue, { type: 'remove', key: 'a.png' });
    queue = uploadQueueReducer(queue, { type: 'remove', key: 'b.png' });
    expect(queue.map((e) => e.key)).toEqual(['a.png']);
  });

  it('starts no more than the concurrency allows', () => {
    let queue = queueOf(file('a.png'), file('b.png'), file('c.png'), file('d.png'));
    expect(nextToStart(queue, 2).map((e) => e.key)).toEqual(['a.png', 'b.png']);
    queue = uploadQueueReducer(queue, { type: 'registering', key: 'a.png' });
    expect(nextToStart(queue, 2).map((e) => e.key)).toEqual(['b.png']);
  });

  it('reuses an upload URL only while it has more than a minute left', () => {
    const now = Date.parse('2025-01-01T10:00:00Z');
    const target = (expiresAt: string) => ({ studyId: 's', accessionNumber: 'A', uploadUrl: '/u', expiresAt });
    expect(targetStillValid(target('2025-01-01T10:05:00Z'), now)).toBe(true);
    expect(targetStillValid(target('2025-01-01T10:00:30Z'), now)).toBe(false);
    expect(targetStillValid(null, now)).toBe(false);
  });
});

import { createRequire } from 'node:module';
import type { Logger } from '@triage/logger';
import Tesseract from 'tesseract.js';
import type { PixelBox } from './pixel-fill.js';

const require = createRequire(import.meta.url);

/**
 * The English LSTM data from the @tesseract.js-data/eng package (its index exposes `langPath` and
 * `gzip`): tesseract.js reads it from disk and never fetches from the network; `cacheMethod: none`
 * keeps it from writing a copy into the working directory.
 */
const english = require('@tesseract.js-data/eng') as { code: string; langPath: string; gzip: boolean };

/** Tesseract page segmentation modes used here. */
export const PSM = {
  /** A single uniform block of text. */
  block: '6',
  /** As much text as possible, in no particular order: text can be anywhere on an X-ray. */
  sparse: '11',
} as const;
export type PageSegmentation = (typeof PSM)[keyof typeof PSM];

export interface OcrWord {
  text: string;
  /** 0..100 */
  confidence: number;
  box: PixelBox;
}

export interface OcrEngine {
  /** The words Tesseract reads in an image (PNG or JPEG bytes), boxes in the image's pixels. */
  words(image: Uint8Array, segmentation: PageSegmentation): Promise<OcrWord[]>;
  /** The whole text read in an image. */
  text(image: Uint8Array, segmentation: PageSegmentation): Promise<string>;
  /** Terminates the worker, if one was started. */
  stop(): Promise<void>;
}

/**
 * One Tesseract worker, created on first use and reused (loading the model takes seconds); calls
 * run one at a time. OCR is CPU-bound: one worker is what a 2-core hospital node can spare.
 */
export function createOcrEngine(options: { log?: Logger } = {}): OcrEngine {
  let worker: Promise<Tesseract.Worker> | null = null;
  let segmentation: string | null = null;
  let chain: Promise<unknown> = Promise.resolve();

  const start = () =>
    Tesseract.createWorker(english.code, Tesseract.OEM.LSTM_ONLY, {
      langPath: english.langPath,
      gzip: english.gzip,
      cacheMethod: 'none',
      logger: () => undefined,
      // Without a handler tesseract.js throws from its message listener, which would crash the process.
      errorHandler: (error: unknown) => options.log?.warn({ err: String(error).slice(0, 200) }, 'tesseract worker error'),
    });

  function run<T>(task: (w: Tesseract.Worker) => Promise<T>): Promise<T> {
    const next = chain.then(async () => {
      worker ??= start();
      return task(await worker);
    });
    chain = next.catch(() => undefined);
    return next;
  }

  async function recognize(w: Tesseract.Worker, image: Uint8Array, mode: PageSegmentation, blocks: boolean) {
    if (segmentation !== mode) {
      await w.setParameters({ tessedit_pageseg_mode: mode as Tesseract.PSM });
      segmentation = mode;
    }
    return w.recognize(Buffer.from(image.buffer, image.byteOffset, image.byteLength), {}, { text: true, blocks });
  }

  return {
    words(image, mode) {
      return run(async (w) => {
        const { data } = await recognize(w, image, mode, true);
        const words: OcrWord[] = [];
        for (const block of data.blocks ?? []) {
          for (const paragraph of block.paragraphs) {
            for (const line of paragraph.lines) {
              for (const word of line.words) {
                const { x0, y0, x1, y1 } = word.bbox;
                words.push({ text: word.text, confidence: word.confidence, box: { left: x0, top: y0, width: x1 - x0, height: y1 - y0 } });
              }
            }
          }
        }
        return words;
      });
    },
    text(image, mode) {
      return run(async (w) => (await recognize(w, image, mode, false)).data.text);
    },
    async stop() {
      const started = worker;
      worker = null;
      segmentation = null;
      await chain;
      if (started) await (await started.catch(() => null))?.terminate();
    },
  };
}

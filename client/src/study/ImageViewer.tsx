import { useEffect, useId, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import {
  FIT_VIEW,
  IDENTITY_WINDOW,
  WINDOW_LIMITS,
  applyLut,
  autoWindow,
  clampWindow,
  dragWindow,
  imagePlacement,
  panBy,
  toGrey,
  wheelZoomFactor,
  windowLevelLut,
  zoomAt,
  type View,
  type WindowLevel,
} from './viewer-math';

interface Decoded {
  grey: Uint8Array;
  width: number;
  height: number;
}

interface Drag {
  mode: 'pan' | 'window';
  x: number;
  y: number;
  view: View;
  wl: WindowLevel;
}

const KEY_PAN_STEP = 40;
const BUTTON_ZOOM = 1.25;

/**
 * Canvas viewer of one greyscale image: zoom (wheel, buttons, + and -), pan (drag, arrow keys),
 * window/level (right-drag or shift-drag, sliders), invert. Everything is reachable by keyboard.
 */
export function ImageViewer({ src, label }: { src: string; label: string }) {
  const helpId = useId();
  const levelId = useId();
  const widthId = useId();
  const container = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const processed = useRef<HTMLCanvasElement | null>(null);
  const output = useRef<ImageData | null>(null);
  const drag = useRef<Drag | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [decoded, setDecoded] = useState<Decoded | null>(null);
  const [decodeError, setDecodeError] = useState<string | null>(null);
  const [processedVersion, setProcessedVersion] = useState(0);
  const [view, setView] = useState<View>(FIT_VIEW);
  const [wl, setWl] = useState<WindowLevel>(IDENTITY_WINDOW);
  const [invert, setInvert] = useState(false);

  // Decode once; the viewer works on 8-bit greys from then on.
  useEffect(() => {
    let cancelled = false;
    const image = new Image();
    image.src = src;
    image
      .decode()
      .then(() => {
        if (cancelled) return;
        const offscreen = document.createElement('canvas');
        offscreen.width = image.naturalWidth;
        offscreen.height = image.naturalHeight;
        const context = offscreen.getContext('2d', { willReadFrequently: true });
        if (!context) throw new Error('no 2D canvas');
        context.drawImage(image, 0, 0);
        const pixels = context.getImageData(0, 0, offscreen.width, offscreen.height);
        processed.current = offscreen;
        output.current = pixels;
        setDecoded({ grey: toGrey(pixels.data), width: offscreen.width, height: offscreen.height });
        setDecodeError(null);
      })
      .catch(() => {
        if (!cancelled) setDecodeError('The image could not be displayed.');
      });
    return () => {
      cancelled = true;
    };
  }, [src]);

  // Window/level (and invert) rewrite the offscreen copy; zoom and pan only redraw it.
  useEffect(() => {
    const target = processed.current;
    const pixels = output.current;
    if (!decoded || !target || !pixels) return;
    applyLut(decoded.grey, windowLevelLut(wl, invert), pixels.data);
    target.getContext('2d')?.putImageData(pixels, 0, 0);
    setProcessedVersion((version) => version + 1);
  }, [decoded, wl, invert]);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      setSize({ width: Math.floor(entry.contentRect.width), height: Math.floor(entry.contentRect.height) });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = canvas.current;
    if (!element || size.width === 0 || size.height === 0) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(size.width * ratio);
    const height = Math.round(size.height * ratio);
    if (element.width !== width) element.width = width;
    if (element.height !== height) element.height = height;
    const context = element.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.fillStyle = '#000';
    context.fillRect(0, 0, size.width, size.height);
    if (!decoded || !processed.current) return;
    const place = imagePlacement(view, decoded, size);
    // Zoomed far in, show the real pixels instead of a blur.
    context.imageSmoothingEnabled = place.scale * ratio < 2;
    context.drawImage(processed.current, place.x, place.y, decoded.width * place.scale, decoded.height * place.scale);
  }, [size, view, decoded, processedVersion]);

  // React's onWheel is passive; the page must not scroll while zooming.
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      const delta = event.deltaMode === 1 ? event.deltaY * 33 : event.deltaY;
      const anchor = { x: event.clientX - rect.left - rect.width / 2, y: event.clientY - rect.top - rect.height / 2 };
      setView((current) => zoomAt(current, wheelZoomFactor(delta), anchor));
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  function onPointerDown(event: PointerEvent<HTMLCanvasElement>) {
    if (event.button !== 0 && event.button !== 2) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    event.currentTarget.focus();
    drag.current = { mode: event.button === 2 || event.shiftKey ? 'window' : 'pan', x: event.clientX, y: event.clientY, view, wl };
  }

  function onPointerMove(event: PointerEvent<HTMLCanvasElement>) {
    const active = drag.current;
    if (!active) return;
    const dx = event.clientX - active.x;
    const dy = event.clientY - active.y;
    if (active.mode === 'pan') setView(panBy(active.view, dx, dy));
    else setWl(dragWindow(active.wl, dx, dy));
  }

  function endDrag() {
    drag.current = null;
  }

  function onKeyDown(event: KeyboardEvent<HTMLCanvasElement>) {
    const step = event.shiftKey ? KEY_PAN_STEP * 4 : KEY_PAN_STEP;
    switch (event.key) {
      case '+':
      case '=':
        setView((current) => zoomAt(current, BUTTON_ZOOM));
        break;
      case '-':
      case '_':
        setView((current) => zoomAt(current, 1 / BUTTON_ZOOM));
        break;
      case '0':
        setView(FIT_VIEW);
        break;
      case 'ArrowLeft':
        setView((current) => panBy(current, -step, 0));
        break;
      case 'ArrowRight':
        setView((current) => panBy(current, step, 0));
        break;
      case 'ArrowUp':
        setView((current) => panBy(current, 0, -step));
        break;
      case 'ArrowDown':
        setView((current) => panBy(current, 0, step));
        break;
      case 'i':
      case 'I':
        setInvert((current) => !current);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  return (
    <div className="viewer">
      <div className="viewer__stage" ref={container}>
        <canvas
          ref={canvas}
          className="viewer__canvas"
          role="img"
          aria-label={label}
          aria-describedby={helpId}
          tabIndex={0}
          style={{ width: size.width, height: size.height }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={endDrag}
          onPointerCancel={endDrag}
          onContextMenu={(event) => event.preventDefault()}
          onKeyDown={onKeyDown}
        />
        {!decoded && !decodeError && <p className="viewer__overlay">Loading image…</p>}
        {decodeError && (
          <p className="viewer__overlay" role="alert">
            {decodeError}
          </p>
        )}
      </div>
      <p id={helpId} className="muted small viewer__help">
        Drag to move, scroll to zoom, right-drag (or shift-drag) to change window and level. With the image focused:
        + and − zoom, arrow keys move, 0 fits, I inverts.
      </p>
      <div className="viewer__controls" role="group" aria-label="Image controls">
        <div className="button-row">
          <button type="button" className="button" onClick={() => setView((current) => zoomAt(current, BUTTON_ZOOM))}>
            Zoom in
          </button>
          <button type="button" className="button" onClick={() => setView((current) => zoomAt(current, 1 / BUTTON_ZOOM))}>
            Zoom out
          </button>
          <button type="button" className="button" onClick={() => setView(FIT_VIEW)}>
            Fit
          </button>
          <span className="muted small" aria-live="off">
            Zoom {Math.round(view.zoom * 100)}%
          </span>
        </div>
        <div className="slider">
          <label htmlFor={levelId}>Level</label>
          <input
            id={levelId}
            type="range"
            min={WINDOW_LIMITS.minCenter}
            max={WINDOW_LIMITS.maxCenter}
            value={wl.center}
            onChange={(event) => setWl(clampWindow({ ...wl, center: Number(event.target.value) }))}
          />
          <output htmlFor={levelId}>{wl.center}</output>
        </div>
        <div className="slider">
          <label htmlFor={widthId}>Window</label>
          <input
            id={widthId}
            type="range"
            min={WINDOW_LIMITS.minWidth}
            max={WINDOW_LIMITS.maxWidth}
            value={wl.width}
            onChange={(event) => setWl(clampWindow({ ...wl, width: Number(event.target.value) }))}
          />
          <output htmlFor={widthId}>{wl.width}</output>
        </div>
        <div className="button-row">
          <button type="button" className="button" disabled={!decoded} onClick={() => decoded && setWl(autoWindow(decoded.grey))}>
            Auto window
          </button>
          <button type="button" className="button" onClick={() => setWl(IDENTITY_WINDOW)}>
            Reset window
          </button>
          <button type="button" className="button" aria-pressed={invert} onClick={() => setInvert((current) => !current)}>
            Invert
          </button>
        </div>
      </div>
    </div>
  );
}

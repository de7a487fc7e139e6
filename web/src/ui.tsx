/** Small pieces every view shares: title, loading and error notices, status badge, tag list. */
import { useEffect, useRef, type ReactNode } from 'react';
import type { ApiError } from './api';
import { requireApiKey } from './auth';

/** The view's heading: names the document and takes focus, so a screen reader hears where it landed. */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · TrackQL`;
    ref.current?.focus({ preventScroll: true });
  }, [title]);
  return <h1 ref={ref} tabIndex={-1}>{children}</h1>;
}

export function Loading({ what }: { what: string }) {
  return <p className="notice" role="status">Loading {what}…</p>;
}

export function ErrorNotice({ error }: { error: ApiError }) {
  return (
    <p className="notice error" role="alert">
      <strong>{error.code}</strong>: {error.message}
      {error.code === 'UNAUTHENTICATED' && <> <button type="button" onClick={requireApiKey}>Enter an API key</button></>}
    </p>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{status.toLowerCase()}</span>;
}

export function Tags({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((t) => <li key={t}>{t}</li>)}
    </ul>
  );
}

import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { outage } from './api.ts';
import { t } from './i18n.ts';

/** A labelled input with its error (server or client) announced and tied to the field. */
export function Field(p: {
  label: string;
  error?: string;
  hint?: string;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}) {
  const id = useId();
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy = [p.error ? errId : '', p.hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${p.error ? ' invalid' : ''}`}>
      <label for={id}>{p.label}</label>
      {p.children(id, describedBy)}
      {p.hint && (
        <small id={hintId} class="hint">
          {p.hint}
        </small>
      )}
      {p.error && (
        <small id={errId} class="error" role="alert">
          {p.error}
        </small>
      )}
    </div>
  );
}

export function FormError({ error }: { error?: string }) {
  return error ? (
    <p class="form-error" role="alert">
      {error}
    </p>
  ) : null;
}

export function OutageBanner() {
  const o = outage.value;
  if (!o) return null;
  return (
    <div class="banner" role="alert">
      <span>{t('Connection lost ({why}). Nothing you typed is lost.', { why: o.message })}</span>
      <button type="button" onClick={o.retry}>
        {t('Retry')}
      </button>
    </div>
  );
}

export function Badge({ status }: { status: string }) {
  return <span class={`badge s-${status}`}>{t(status)}</span>;
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}

export const fmtDate = (iso: string | undefined, timeZone?: string) =>
  iso
    ? new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
        new Date(iso),
      )
    : '';

/** A region that may scroll sideways on a phone: focusable so the keyboard can scroll it (WCAG 2.1.1). */
export function Scroll(p: { label: string; class?: string; width?: number; children: ComponentChildren }) {
  return (
    <section
      class={p.class ?? 'table-wrap'}
      style={p.width ? { width: `${p.width}px` } : undefined}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable regions must be keyboard-reachable
      tabIndex={0}
      aria-label={p.label}
    >
      {p.children}
    </section>
  );
}

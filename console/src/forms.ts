/** Form helpers: validate with the server's own zod schema, show its messages at the fields, keep drafts. */
import { useEffect, useState } from 'preact/hooks';
import type * as z from 'zod';
import { ApiError } from './api.ts';

export type FieldErrors = Record<string, string>;

/** Same field naming as src/domain/validate.ts (`a.b`), so client and server errors land in the same place. */
export function check<S extends z.ZodType>(
  schema: S,
  data: unknown,
): { ok: true; data: z.infer<S> } | { ok: false; errors: FieldErrors } {
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, data: r.data };
  const errors: FieldErrors = {};
  for (const i of r.error.issues) errors[i.path.join('.') || '_'] ??= i.message;
  return { ok: false, errors };
}

/** A server refusal as field errors (its `problems`), or under `_` for the form as a whole. */
export function serverErrors(e: unknown): FieldErrors {
  if (e instanceof ApiError) {
    const out: FieldErrors = {};
    for (const p of e.problems) out[p.field || '_'] ??= p.message;
    if (!e.problems.length) out._ = e.message;
    return out;
  }
  return { _: String((e as Error)?.message ?? e) };
}

/**
 * State kept in localStorage under `key` while it differs from `initial`: unsaved edits survive a reload or a
 * lost connection. `clear()` after a successful save.
 */
export function useDraft<T>(key: string, initial: T): [T, (v: T) => void, () => void, boolean] {
  const storageKey = `gazette.draft.${key}`;
  const read = (): T | undefined => {
    try {
      const raw = localStorage.getItem(storageKey);
      return raw ? (JSON.parse(raw) as T) : undefined;
    } catch {
      return undefined;
    }
  };
  const [value, setValue] = useState<T>(() => read() ?? initial);
  const [restored, setRestored] = useState(() => read() !== undefined);
  // A new key (another update selected): load its own draft or its initial value.
  useEffect(() => {
    const d = read();
    setValue(d ?? initial);
    setRestored(d !== undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storageKey]);
  const set = (v: T) => {
    setValue(v);
    if (JSON.stringify(v) === JSON.stringify(initial)) localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, JSON.stringify(v));
  };
  const clear = () => {
    localStorage.removeItem(storageKey);
    setRestored(false);
  };
  return [value, set, clear, restored];
}

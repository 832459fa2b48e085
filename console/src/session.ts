/**
 * Sign-in. `config.json` (fetched at start) says which: the embedded runtime's one-time code, exchanged once
 * for a short-lived session token, or a Cognito hosted UI (authorization code + PKCE) on AWS.
 */
import { signal } from '@preact/signals';

export type ConsoleConfig =
  | { auth: { mode: 'local-code'; exchangeUrl: string }; apiUrl?: string }
  | {
      auth: { mode: 'cognito'; domain: string; clientId: string; redirectUri: string; scopes?: string[] };
      apiUrl?: string;
    };

export interface Session {
  token: string;
  actor: string;
  expiresAt: string;
  /** Cognito groups (editors, approvers); locally the admin may do everything. */
  groups?: string[];
}

const KEY = 'gazette.session';
const load = (): Session | undefined => {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && new Date(s.expiresAt) > new Date() ? s : undefined;
  } catch {
    return undefined;
  }
};

export const session = signal<Session | undefined>(load());
export const signedOutReason = signal<'expired' | undefined>(undefined);
export const config = signal<ConsoleConfig | undefined>(undefined);

function keep(s: Session) {
  sessionStorage.setItem(KEY, JSON.stringify(s));
  session.value = s;
  signedOutReason.value = undefined;
}

export function signOut(reason?: 'expired') {
  sessionStorage.removeItem(KEY);
  session.value = undefined;
  signedOutReason.value = reason;
}

/** Local: exchange the one-time code from the sign-in link (it is in the URL fragment, never sent to a server). */
export async function exchangeCode(code: string): Promise<void> {
  const c = config.value;
  if (c?.auth.mode !== 'local-code') throw new Error('this console signs in with Cognito');
  const res = await fetch(c.auth.exchangeUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  const body = (await res.json()) as { token?: string; actor?: string; expiresAt?: string; message?: string };
  if (!res.ok || !body.token) throw new Error(body.message ?? `sign-in failed (${res.status})`);
  keep({ token: body.token, actor: body.actor ?? 'console', expiresAt: body.expiresAt ?? '' });
}

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** Cognito: go to the hosted UI with a PKCE challenge; `finishCognito` completes on the way back. */
export async function startCognito(): Promise<void> {
  const c = config.value;
  if (c?.auth.mode !== 'cognito') return;
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem('gazette.pkce', JSON.stringify({ verifier, state }));
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const u = new URL('/oauth2/authorize', c.auth.domain);
  u.search = new URLSearchParams({
    response_type: 'code',
    client_id: c.auth.clientId,
    redirect_uri: c.auth.redirectUri,
    scope: (c.auth.scopes ?? ['openid', 'email']).join(' '),
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  }).toString();
  location.assign(u.toString());
}

export async function finishCognito(code: string, state: string): Promise<void> {
  const c = config.value;
  if (c?.auth.mode !== 'cognito') return;
  const saved = JSON.parse(sessionStorage.getItem('gazette.pkce') ?? '{}') as {
    verifier?: string;
    state?: string;
  };
  sessionStorage.removeItem('gazette.pkce');
  if (!saved.verifier || saved.state !== state) throw new Error('sign-in state mismatch: try again');
  const res = await fetch(new URL('/oauth2/token', c.auth.domain), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: c.auth.clientId,
      redirect_uri: c.auth.redirectUri,
      code,
      code_verifier: saved.verifier,
    }),
  });
  const t = (await res.json()) as { id_token?: string; access_token?: string; expires_in?: number };
  if (!res.ok || !t.access_token) throw new Error('sign-in failed');
  const claims = JSON.parse(
    atob((t.id_token ?? t.access_token).split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')),
  );
  keep({
    token: t.access_token,
    actor: String(claims.email ?? claims['cognito:username'] ?? 'console'),
    expiresAt: new Date(Date.now() + (t.expires_in ?? 3600) * 1000).toISOString(),
    groups: (claims['cognito:groups'] as string[] | undefined) ?? [],
  });
}

/** Approvers approve and send; locally (no groups) the admin may do everything. */
export const canApprove = () => {
  const g = session.value?.groups;
  return !g || g.includes('approvers');
};

import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { OutageBanner } from './components.tsx';
import { type Lang, lang, setLang, t } from './i18n.ts';
import { Audiences } from './pages/audiences.tsx';
import { Dashboard } from './pages/dashboard.tsx';
import { Deadlines } from './pages/deadlines.tsx';
import { Editions } from './pages/editions.tsx';
import { Members } from './pages/members.tsx';
import { Moderation } from './pages/moderation.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { Subscribers } from './pages/subscribers.tsx';
import { session, signOut } from './session.ts';

export const BASE = '/console';
const NAV: [string, string][] = [
  ['/', 'Dashboard'],
  ['/moderation', 'Moderation'],
  ['/editions', 'Editions'],
  ['/deadlines', 'Deadlines and events'],
  ['/subscribers', 'Subscribers'],
  ['/audiences', 'Audiences'],
  ['/members', 'Members'],
];

function Shell() {
  const { path } = useLocation();
  const signingIn = path.startsWith(`${BASE}/sign-in`);
  if (!session.value || signingIn) return <SignIn />;
  const here = (p: string) => (p === '/' ? path === `${BASE}/` || path === BASE : path.startsWith(BASE + p));
  return (
    <>
      <a class="skip" href="#main">
        {t('Skip to content')}
      </a>
      <header class="top">
        <span class="brand">{t('Gazette console')}</span>
        <nav aria-label={t('Gazette console')}>
          <ul>
            {NAV.map(([p, label]) => (
              <li key={p}>
                <a href={BASE + p} aria-current={here(p) ? 'page' : undefined}>
                  {t(label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <label>
            <span class="sr-only">{t('Interface language')}</span>
            <select value={lang.value} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
              <option value="en">English</option>
              <option value="zh">中文</option>
            </select>
          </label>
          <span class="who">{t('Signed in as {who}', { who: session.value.actor })}</span>
          <button type="button" class="link" onClick={() => signOut()}>
            {t('Sign out')}
          </button>
        </div>
      </header>
      <OutageBanner />
      <main id="main" tabIndex={-1}>
        <Router>
          <Route path={`${BASE}/`} component={Dashboard} />
          <Route path={`${BASE}/moderation`} component={Moderation} />
          <Route path={`${BASE}/editions`} component={Editions} />
          <Route path={`${BASE}/deadlines`} component={Deadlines} />
          <Route path={`${BASE}/subscribers`} component={Subscribers} />
          <Route path={`${BASE}/audiences`} component={Audiences} />
          <Route path={`${BASE}/members`} component={Members} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </>
  );
}

function NotFound() {
  return <h1>{t('Not found')}</h1>;
}

export function App() {
  // Reading lang here re-renders every string when the language changes.
  void lang.value;
  return (
    <LocationProvider>
      <Shell />
    </LocationProvider>
  );
}

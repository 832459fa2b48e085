import { render } from 'preact';
import { setApiBase } from './api.ts';
import { App } from './app.tsx';
import { lang } from './i18n.ts';
import { type ConsoleConfig, config } from './session.ts';
import './styles.css';

/** config.json says where the API is and which sign-in to use (local one-time code or Cognito). */
async function start() {
  document.documentElement.lang = lang.value === 'zh' ? 'zh-Hans' : 'en';
  const res = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
  const c = (await res.json()) as ConsoleConfig;
  config.value = c;
  setApiBase(c.apiUrl ?? '');
  render(<App />, document.getElementById('app')!);
}

void start();

import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { t } from '../i18n.ts';
import { config, exchangeCode, finishCognito, session, signedOutReason, startCognito } from '../session.ts';

/** The one-time link lands here (`/console/sign-in#code=…`); so does Cognito's redirect (`?code=&state=`). */
export function SignIn() {
  const { route } = useLocation();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const mode = config.value?.auth.mode;

  useEffect(() => {
    const hash = new URLSearchParams(location.hash.slice(1));
    const query = new URLSearchParams(location.search);
    const done = () => route('/console/', true);
    const localCode = hash.get('code');
    if (localCode) {
      history.replaceState(null, '', location.pathname); // the code is single-use: drop it from the bar
      setBusy(true);
      exchangeCode(localCode).then(done, (e: Error) => {
        setBusy(false);
        setError(e.message);
      });
    } else if (mode === 'cognito' && query.get('code')) {
      setBusy(true);
      finishCognito(query.get('code')!, query.get('state') ?? '').then(done, (e: Error) => {
        setBusy(false);
        setError(e.message);
      });
    } else if (session.value) done();
  }, []);

  return (
    <main id="main" class="sign-in">
      <h1>{t('Gazette console')}</h1>
      {busy && <p role="status">{t('Signing you in…')}</p>}
      {signedOutReason.value === 'expired' && (
        <p role="status">{t('Your session has ended. Sign in again.')}</p>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {!busy && mode === 'local-code' && (
        <p>{t('Run `npx gazette console` on the computer running Gazette: it opens this page signed in.')}</p>
      )}
      {!busy && mode === 'cognito' && (
        <button type="button" class="primary" onClick={() => void startCognito()}>
          {t('Sign in with your organisation account')}
        </button>
      )}
    </main>
  );
}

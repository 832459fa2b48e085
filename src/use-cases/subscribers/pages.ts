/**
 * The public pages: plain HTML, no scripts or external assets (the CSP forbids both), readable on a phone,
 * CJK-safe (UTF-8, lang attribute, CJK font fallbacks). Every dynamic value goes through esc().
 * Forms post back to their own URL (no action attribute), so the token in the query string travels along.
 */
import { escapeHtml } from '../../domain/html.ts';
import { Audience, type Subscriber } from '../../domain/index.ts';
import { maskEmail } from './mailbox.ts';
import { type Lang, t } from './messages.ts';

export const esc = escapeHtml;

const STYLE = `
body{margin:0;background:#f4f6f4;color:#1d2b1f;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","PingFang SC","Hiragino Sans","Microsoft YaHei",sans-serif}
main{max-width:34rem;margin:2rem auto;background:#fff;padding:1.5rem 1.75rem;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;line-height:1.3;margin:0 0 1rem;color:#1f5f2c}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=email],input[type=text],select{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #8a9a8c;border-radius:4px}
fieldset{border:1px solid #c9d3ca;border-radius:4px;margin:1rem 0;padding:.5rem 1rem}
fieldset label{font-weight:400;margin:.35rem 0}
button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;color:#fff;background:#1f5f2c;border:0;border-radius:4px;cursor:pointer}
button.secondary{background:#6b2020}
button:focus,input:focus,select:focus{outline:3px solid #f2b632;outline-offset:2px}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.note{color:#4a5a4c;font-size:.95rem}
.ok{background:#e5f3e7;border-left:4px solid #1f5f2c;padding:.5rem .75rem}
hr{border:0;border-top:1px solid #dde3de;margin:1.5rem 0}`;

export function layout(lang: Lang, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-Hans' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>`;
}

export type PageVars = { name: string };

const LANGUAGES: [string, string][] = [
  ['en', 'English'],
  ['zh', '中文'],
  ['ja', '日本語'],
  ['ko', '한국어'],
  ['es', 'Español'],
  ['fr', 'Français'],
  ['de', 'Deutsch'],
];

function languageSelect(selected: string): string {
  const options = LANGUAGES.some(([code]) => code === selected)
    ? LANGUAGES
    : [...LANGUAGES, [selected, selected] as [string, string]];
  return `<select id="language" name="language">${options
    .map(
      ([code, label]) =>
        `<option value="${esc(code)}"${code === selected ? ' selected' : ''}>${esc(label)}</option>`,
    )
    .join('')}</select>`;
}

function audienceBoxes(lang: Lang, checked: readonly string[]): string {
  return `<fieldset><legend>${esc(t(lang, 'lists'))}</legend>${Audience.options
    .map(
      (a) =>
        `<label><input type="checkbox" name="audiences" value="${a}"${checked.includes(a) ? ' checked' : ''}> ${esc(
          t(lang, `list.${a}`),
        )}</label>`,
    )
    .join('')}</fieldset>`;
}

export function subscribePage(lang: Lang, v: PageVars): string {
  const title = t(lang, 'subscribeTitle', v);
  return layout(
    lang,
    title,
    `<form method="post">
<label for="email">${esc(t(lang, 'email'))}</label>
<input id="email" name="email" type="email" required autocomplete="email" maxlength="254">
<label for="name">${esc(t(lang, 'yourName'))}</label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="200">
<label for="language">${esc(t(lang, 'language'))}</label>
${languageSelect(lang)}
<label for="timeZone">${esc(t(lang, 'timeZone'))}</label>
<input id="timeZone" name="timeZone" type="text" value="UTC" maxlength="64">
${audienceBoxes(lang, ['newsletter'])}
<div class="hp" aria-hidden="true"><label for="website">${esc(t(lang, 'honeypot'))}</label>
<input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<button type="submit">${esc(t(lang, 'subscribe'))}</button>
</form>`,
  );
}

export const messagePage = (lang: Lang, title: string, message: string, extra = ''): string =>
  layout(lang, title, `<p>${esc(message)}</p>${extra}`);

export const linkParagraph = (href: string, label: string) =>
  `<p><a href="${esc(href)}">${esc(label)}</a></p>`;

export function preferencesPage(lang: Lang, v: PageVars, s: Subscriber, saved: boolean): string {
  const title = t(lang, 'preferencesTitle', v);
  const active = s.status === 'unsubscribed' ? [] : s.audiences;
  return layout(
    lang,
    title,
    `${saved ? `<p class="ok" role="status">${esc(t(lang, 'saved'))}</p>` : ''}
<p class="note">${esc(maskEmail(s.email))}</p>
<form method="post">
<input type="hidden" name="action" value="save">
<label for="name">${esc(t(lang, 'yourName'))}</label>
<input id="name" name="name" type="text" value="${esc(s.name)}" maxlength="200">
<label for="language">${esc(t(lang, 'language'))}</label>
${languageSelect(s.language)}
<label for="timeZone">${esc(t(lang, 'timeZone'))}</label>
<input id="timeZone" name="timeZone" type="text" value="${esc(s.timeZone)}" maxlength="64">
${audienceBoxes(lang, active)}
<button type="submit">${esc(t(lang, 'save'))}</button>
</form>
<form method="post"><input type="hidden" name="action" value="unsubscribe">
<button type="submit" class="secondary">${esc(t(lang, 'unsubscribeAll'))}</button></form>
<hr>
<h2>${esc(t(lang, 'eraseTitle'))}</h2>
<p class="note">${esc(t(lang, 'eraseExplain'))}</p>
<form method="post"><input type="hidden" name="action" value="erase">
<button type="submit" class="secondary">${esc(t(lang, 'eraseButton'))}</button></form>`,
  );
}

export function unsubscribePage(lang: Lang, v: PageVars, email: string, list: string): string {
  return layout(
    lang,
    t(lang, 'unsubscribeTitle'),
    `<p>${esc(t(lang, 'unsubscribeQuestion', { ...v, email, list }))}</p>
<form method="post"><input type="hidden" name="confirm" value="yes">
<button type="submit">${esc(t(lang, 'unsubscribeButton'))}</button></form>`,
  );
}

/** The confirm link's page: a scanner that opens the link changes nothing; the visitor's button confirms. */
export function confirmPage(lang: Lang, v: PageVars, maskedEmail: string): string {
  return layout(
    lang,
    t(lang, 'confirmPageTitle'),
    `<p>${esc(t(lang, 'confirmPageQuestion', { ...v, email: maskedEmail }))}</p>
<form method="post"><button type="submit">${esc(t(lang, 'confirmButton'))}</button></form>`,
  );
}

/** The erase link's page (mailed to the address): asks once more before deleting. */
export function erasePage(lang: Lang, maskedEmail: string): string {
  return layout(
    lang,
    t(lang, 'eraseTitle'),
    `<p>${esc(t(lang, 'eraseQuestion', { email: maskedEmail }))}</p>
<form method="post"><input type="hidden" name="confirm" value="yes">
<button type="submit" class="secondary">${esc(t(lang, 'eraseButton'))}</button></form>`,
  );
}

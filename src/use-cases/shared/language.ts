/**
 * The reader's language for system mails (issue 14): the subscriber's or member's tag, then its parents,
 * then English: zh-Hant-TW → zh-Hant → zh → en. Script subtags stay (zh-Hant is not zh-Hans); region
 * and other subtags are dropped one at a time.
 */
export function languageChain(tag: string | undefined): string[] {
  const parts = (tag ?? '').trim().replace(/_/g, '-').split('-').filter(Boolean);
  const chain: string[] = [];
  for (let n = parts.length; n > 0; n--) {
    const t = parts
      .slice(0, n)
      .map((p, i) =>
        i === 0
          ? p.toLowerCase()
          : p.length === 4
            ? p[0]!.toUpperCase() + p.slice(1).toLowerCase()
            : p.toUpperCase(),
      )
      .join('-');
    if (!chain.includes(t)) chain.push(t);
  }
  if (!chain.includes('en')) chain.push('en');
  return chain;
}

/** The first language of the reader's chain that `available` has (English when none). */
export function pickLanguage<L extends string>(tag: string | undefined, available: readonly L[]): L {
  for (const t of languageChain(tag)) if ((available as readonly string[]).includes(t)) return t as L;
  return (available.includes('en' as L) ? 'en' : available[0]) as L;
}

/**
 * Country names as members write them ("Korea", "South Korea", "韩国", "대한민국", "Deutschland"), mapped to
 * ISO 3166 region codes. The names come from ICU (Intl.DisplayNames) in IGPN's languages, so no list is
 * kept by hand beyond a few everyday short forms ICU does not use.
 */
const LANGUAGES = [
  'en',
  'zh-Hans',
  'zh-Hant',
  'ja',
  'ko',
  'de',
  'fr',
  'es',
  'it',
  'pt',
  'nl',
  'pl',
  'ru',
  'th',
  'vi',
  'id',
  'ms',
  'he',
  'ar',
  'tr',
];

/** Short forms in everyday use that ICU's display names do not give. */
const ALIASES: Record<string, string> = {
  korea: 'KR',
  'republic of korea': 'KR',
  'korea, republic of': 'KR',
  rok: 'KR',
  韩国: 'KR',
  韓國: 'KR',
  한국: 'KR',
  대한민국: 'KR',
  usa: 'US',
  us: 'US',
  'u.s.': 'US',
  'u.s.a.': 'US',
  america: 'US',
  uk: 'GB',
  'u.k.': 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  prc: 'CN',
  "people's republic of china": 'CN',
  'mainland china': 'CN',
  中國: 'CN',
  'hong kong sar': 'HK',
  'macao sar': 'MO',
  macau: 'MO',
  taiwan: 'TW',
  'chinese taipei': 'TW',
  'viet nam': 'VN',
  russia: 'RU',
  'russian federation': 'RU',
  czechia: 'CZ',
  'czech republic': 'CZ',
  holland: 'NL',
  uae: 'AE',
  türkiye: 'TR',
  turkey: 'TR',
  eu: 'EU',
  europe: 'EU',
  'european union': 'EU',
};

let names: Map<string, string> | undefined;

function table(): Map<string, string> {
  if (names) return names;
  const map = new Map<string, string>();
  const A = 'A'.charCodeAt(0);
  for (const lang of LANGUAGES) {
    let dn: Intl.DisplayNames;
    try {
      dn = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' });
    } catch {
      continue;
    }
    for (let i = 0; i < 26; i++)
      for (let j = 0; j < 26; j++) {
        const code = String.fromCharCode(A + i, A + j);
        const name = dn.of(code);
        if (!name || name === code) continue;
        if (!map.has(fold(name))) map.set(fold(name), code);
        // "Hong Kong SAR China" / "Hongkong (SAR China)": the first part is what people write.
        const short = name.split(/[(（,，]| SAR/)[0]?.trim();
        if (short && short.length >= 2 && !map.has(fold(short))) map.set(fold(short), code);
      }
  }
  for (const [alias, code] of Object.entries(ALIASES)) map.set(fold(alias), code);
  names = map;
  return map;
}

const fold = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

/** ISO 3166 alpha-2 code of a country name in any of IGPN's languages (not a bare code: "[IT]"), or undefined. */
export function countryCode(name: string | undefined): string | undefined {
  const n = fold(name ?? '');
  if (!n || n.length > 60) return undefined;
  return table().get(n);
}

/**
 * Sample IGPN-like data for `gazette demo`: member organisations (with Chinese, Japanese and Korean names),
 * ten member mails written the way members write them, and 200 subscribers. Fictional people and addresses
 * (example.org / example.jp …); organisation names echo real green purchasing networks.
 */
export interface DemoMember {
  organisation: string;
  type: 'council' | 'secretariat' | 'advisory' | 'network' | 'associate';
  country: string;
  language: string;
  senders: string[];
  trusted: boolean;
}

export const DEMO_MEMBERS: DemoMember[] = [
  {
    organisation: '中国环境联合认证中心 (CEC)',
    type: 'council',
    country: 'CN',
    language: 'zh',
    senders: ['news@cec.example.cn'],
    trusted: true,
  },
  {
    organisation: 'グリーン購入ネットワーク (GPN Japan)',
    type: 'council',
    country: 'JP',
    language: 'ja',
    senders: ['info@gpn.example.jp'],
    trusted: false,
  },
  {
    organisation: '한국환경산업기술원 (KEITI)',
    type: 'network',
    country: 'KR',
    language: 'ko',
    senders: ['green@keiti.example.kr'],
    trusted: false,
  },
  {
    organisation: 'Thailand Environment Institute',
    type: 'network',
    country: 'TH',
    language: 'en',
    senders: ['tei@tei.example.org'],
    trusted: false,
  },
  {
    organisation: 'ICLEI European Secretariat',
    type: 'advisory',
    country: 'DE',
    language: 'en',
    senders: ['procurement@iclei.example.org'],
    trusted: true,
  },
  {
    organisation: 'Green Purchasing Network Malaysia',
    type: 'associate',
    country: 'MY',
    language: 'en',
    senders: ['hello@gpnm.example.my'],
    trusted: false,
  },
];

export interface DemoMail {
  from: string;
  subject: string;
  text: string;
  html?: string;
}

export const DEMO_MAILS: DemoMail[] = [
  {
    from: 'news@cec.example.cn',
    subject: '绿色采购国际论坛 2027 将在北京举行',
    text: '各位同事：\n\n第十届绿色采购国际论坛将于2027年5月25日在北京举行，欢迎各成员参加。\n\nWhen: 2027-05-25 09:00-17:00 Asia/Shanghai\nWhere: 北京国际会议中心\nLink: https://cec.example.cn/forum-2027\n',
  },
  {
    from: 'info@gpn.example.jp',
    subject: 'Fwd: [GPN] エコ商品ねっと 2027年版を公開しました',
    text: 'グリーン購入ネットワークは「エコ商品ねっと」2027年版を公開しました。\n\nKind: publication\nLink: https://gpn.example.jp/eco-net-2027\n',
  },
  {
    from: 'green@keiti.example.kr',
    subject: '녹색구매 우수사례 공모 (마감 2027년 3월 30일)',
    text: '한국환경산업기술원은 녹색구매 우수사례를 공모합니다.\n\nDeadline: 2027-03-30 18:00 Asia/Seoul\nLink: https://keiti.example.kr/awards\n',
  },
  {
    from: 'tei@tei.example.org',
    subject: 'Re: Thai Green Label reaches 1,000 certified products',
    text: 'Dear IGPN colleagues,\n\nThe Thai Green Label scheme has certified its 1,000th product this quarter, with strong growth in office supplies and cleaning services.\n\nLink: https://tei.example.org/green-label-1000\n\nBest regards,\nTEI',
  },
  {
    from: 'procurement@iclei.example.org',
    subject: 'Webinar: Procura+ sustainable procurement awards',
    text: 'Join our webinar presenting the Procura+ awards winners.\n\nWhen: 2027-04-22 15:00-16:30 Europe/Brussels\nWhere: online\nLink: https://iclei.example.org/procura-webinar\n',
    html: '<p>Join our <b>webinar</b> presenting the Procura+ awards winners.</p><p>When: 2027-04-22 15:00-16:30 Europe/Brussels<br>Where: online<br>Link: <a href="https://iclei.example.org/procura-webinar">register</a></p><script>alert(1)</script>',
  },
  {
    from: 'hello@gpnm.example.my',
    subject: 'MyHIJAU directory now lists 5,000 green products',
    text: 'The MyHIJAU green directory passed 5,000 listed products and services.\n\nLink: https://gpnm.example.my/myhijau\n',
  },
  {
    from: 'news@cec.example.cn',
    subject: '《中国政府绿色采购报告 2026》发布',
    text: '我们发布了《中国政府绿色采购报告 2026》，欢迎下载。\n\nKind: publication\nLink: https://cec.example.cn/report-2026\n',
  },
  {
    from: 'procurement@iclei.example.org',
    subject: 'Call for cities: Big Buyers Initiative 2027 (closes 15 March)',
    text: 'Cities wishing to join the next Big Buyers working group can apply until 15 March 2027.\n\nDeadline: 2027-03-15 23:59 Europe/Brussels\nLink: https://iclei.example.org/big-buyers\n',
  },
  {
    from: 'info@gpn.example.jp',
    subject: 'Green Purchasing Award 2026 winners announced',
    text: 'GPN Japan announced the winners of the 2026 Green Purchasing Award: three municipalities and two companies.\n\nLink: https://gpn.example.jp/award-2026\n',
  },
  {
    from: 'tei@tei.example.org',
    subject: 'Training: green public procurement for ASEAN officials',
    text: 'A two-day training for ASEAN procurement officials.\n\nWhen: 2027-06-10 09:00 - 2027-06-11 16:00 Asia/Bangkok\nWhere: Bangkok\nLink: https://tei.example.org/gpp-training\n',
  },
];

const GIVEN = [
  'Wei',
  'Yuki',
  'Min-jun',
  'Somchai',
  'Anna',
  'Lukas',
  'Aiko',
  'Hana',
  'Li Na',
  'Siti',
  'Maria',
  'James',
];
const FAMILY = [
  'Zhang',
  'Sato',
  'Kim',
  'Srisuk',
  'Müller',
  'Rossi',
  'Tanaka',
  'Park',
  'Wang',
  'Rahman',
  'Silva',
  'Smith',
];
const LANG_TZ: [string, string][] = [
  ['zh', 'Asia/Shanghai'],
  ['ja', 'Asia/Tokyo'],
  ['ko', 'Asia/Seoul'],
  ['en', 'Asia/Bangkok'],
  ['en', 'Europe/Berlin'],
  ['en', 'America/New_York'],
];

/** Deterministic: the same 200 subscribers on every run (re-running the demo creates no duplicates). */
export function demoSubscribers(n = 200) {
  return Array.from({ length: n }, (_, i) => {
    const [language, timeZone] = LANG_TZ[i % LANG_TZ.length]!;
    return {
      email: `reader${String(i + 1).padStart(3, '0')}@readers.example.org`,
      name: `${GIVEN[i % GIVEN.length]} ${FAMILY[(i * 7) % FAMILY.length]}`,
      language,
      timeZone,
      audiences: i % 5 === 0 ? ['newsletter', 'reminders'] : ['newsletter'],
    };
  });
}

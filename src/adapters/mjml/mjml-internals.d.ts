// The two parts of mjml's pipeline the shared render (mjml-shared.ts) calls itself; mjml ships no types.
declare module 'mjml-parser-xml/lib/index.js' {
  const parse: (xml: string, opts: Record<string, unknown>) => import('./mjml-shared.ts').MjmlNode;
  export default parse;
}
declare module 'mjml-core/lib/helpers/skeleton.js' {
  const skeleton: import('./mjml-shared.ts').Skeleton;
  export default skeleton;
}

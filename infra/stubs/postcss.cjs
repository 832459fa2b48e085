// Bundled in place of postcss (see infra/bundling.ts): sanitize-html requires it at load time, but Gazette
// allows no style attribute and sets parseStyleAttributes: false, so CSS is never parsed.
function unavailable() {
  throw new Error('postcss is not bundled: Gazette never parses style attributes');
}
module.exports = { parse: unavailable, default: { parse: unavailable } };

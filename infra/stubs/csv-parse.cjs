// Bundled in place of csv-parse in every function but api (see infra/bundling.ts): the subscriber import
// route that parses CSV is composed everywhere but served only by api.
function unavailable() {
  throw new Error('csv-parse is not bundled: only the api function reads subscriber imports');
}
module.exports = { parse: unavailable };

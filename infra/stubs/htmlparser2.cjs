// Bundled in place of htmlparser2 for sanitize-html (see infra/bundling.ts): it uses the streaming Parser
// only, and requiring the package's index brought DomHandler, DomUtils, dom-serializer and the entity
// encoder tables along (~45 KB of ingest's bundle). The path is sanitize-html's own copy (8.x), so the
// parser is exactly the one it was written against.
const { Parser } = require('../../node_modules/sanitize-html/node_modules/htmlparser2/lib/Parser.js');
module.exports = { Parser };

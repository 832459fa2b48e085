/**
 * DynamoDB expressions (condition, key condition, filter, update, projection) over wire-format attribute
 * values, for the in-memory DynamoDB stand-in (memory-dynamodb.ts). Written to the grammar of the DynamoDB
 * developer guide ("Condition and filter expressions", "Update expressions"); no npm library evaluates
 * them (the expression packages on npm only build them).
 */

export type AV = {
  S?: string;
  N?: string;
  B?: string;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AV>;
  L?: AV[];
  SS?: string[];
  NS?: string[];
  BS?: string[];
};
export type Item = Record<string, AV>;

/** An error DynamoDB answers with (the SDK names the exception after `type`). */
export class DynamoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly item?: Item,
  ) {
    super(message);
  }
}
export const validation = (message: string) => new DynamoError('ValidationException', message);

export type Path = (string | number)[];
type Operand =
  | { k: 'path'; path: Path }
  | { k: 'val'; v: AV }
  | { k: 'size'; path: Path }
  | { k: 'if_not_exists'; path: Path; v: Operand }
  | { k: 'list_append'; a: Operand; b: Operand }
  | { k: 'arith'; op: '+' | '-'; a: Operand; b: Operand };
export type Cond =
  | { k: 'cmp'; op: string; a: Operand; b: Operand }
  | { k: 'between'; a: Operand; lo: Operand; hi: Operand }
  | { k: 'in'; a: Operand; list: Operand[] }
  | { k: 'and' | 'or'; l: Cond; r: Cond }
  | { k: 'not'; c: Cond }
  | { k: 'fn'; name: string; args: Operand[] };
export type UpdateAction =
  | { k: 'SET'; path: Path; v: Operand }
  | { k: 'REMOVE'; path: Path }
  | { k: 'ADD' | 'DELETE'; path: Path; v: Operand };

interface Context {
  names?: Record<string, string>;
  values?: Record<string, AV>;
  usedNames: Set<string>;
  usedValues: Set<string>;
}

const TOKEN = /\s*(#[0-9A-Za-z_]+|:[0-9A-Za-z_]+|[A-Za-z_][0-9A-Za-z_]*|\d+|<>|<=|>=|[=<>()[\].,+-])/y;

class Parser {
  private toks: string[] = [];
  private i = 0;
  constructor(
    src: string,
    private readonly ctx: Context,
    private readonly what: string,
  ) {
    if (!src.trim()) throw validation(`Invalid ${what}: The expression can not be empty;`);
    const end = src.trimEnd().length;
    let at = 0;
    while (at < end) {
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(src);
      if (!m) throw validation(`Invalid ${what}: Syntax error; token: "${src.slice(at).trim()[0]}"`);
      this.toks.push(m[1] as string);
      at = TOKEN.lastIndex;
    }
  }
  private peek(o = 0) {
    return this.toks[this.i + o];
  }
  private kw(word: string) {
    return this.peek()?.toUpperCase() === word;
  }
  private next() {
    const t = this.toks[this.i++];
    if (t === undefined) throw validation(`Invalid ${this.what}: Syntax error; token: <EOF>`);
    return t;
  }
  private expect(t: string) {
    const got = this.next();
    if (got !== t) throw validation(`Invalid ${this.what}: Syntax error; token: "${got}", expected "${t}"`);
  }
  done() {
    if (this.i < this.toks.length)
      throw validation(`Invalid ${this.what}: Syntax error; token: "${this.peek()}"`);
  }

  path(): Path {
    const out: Path = [this.name(this.next())];
    for (;;) {
      if (this.peek() === '.') {
        this.i++;
        out.push(this.name(this.next()));
      } else if (this.peek() === '[') {
        this.i++;
        const n = this.next();
        if (!/^\d+$/.test(n)) throw validation(`Invalid ${this.what}: Syntax error; token: "${n}"`);
        out.push(Number(n));
        this.expect(']');
      } else return out;
    }
  }
  private name(t: string): string {
    if (t.startsWith('#')) {
      const n = this.ctx.names?.[t];
      if (n === undefined)
        throw validation(
          `Invalid ${this.what}: An expression attribute name used in the document path is not defined; attribute name: ${t}`,
        );
      this.ctx.usedNames.add(t);
      return n;
    }
    if (!/^[A-Za-z_]/.test(t)) throw validation(`Invalid ${this.what}: Syntax error; token: "${t}"`);
    return t;
  }
  private value(t: string): AV {
    const v = this.ctx.values?.[t];
    if (v === undefined)
      throw validation(
        `Invalid ${this.what}: An expression attribute value used in expression is not defined; attribute value: ${t}`,
      );
    this.ctx.usedValues.add(t);
    return v;
  }

  operand(): Operand {
    const t = this.peek();
    if (t?.startsWith(':')) return { k: 'val', v: this.value(this.next()) };
    if (t && this.peek(1) === '(') {
      const fn = this.next();
      this.expect('(');
      if (fn === 'size') {
        const path = this.path();
        this.expect(')');
        return { k: 'size', path };
      }
      throw validation(`Invalid ${this.what}: Invalid function name; function: ${fn}`);
    }
    return { k: 'path', path: this.path() };
  }

  condition(): Cond {
    let l = this.conjunction();
    while (this.kw('OR')) {
      this.i++;
      l = { k: 'or', l, r: this.conjunction() };
    }
    return l;
  }
  private conjunction(): Cond {
    let l = this.negation();
    while (this.kw('AND')) {
      this.i++;
      l = { k: 'and', l, r: this.negation() };
    }
    return l;
  }
  private negation(): Cond {
    if (this.kw('NOT')) {
      this.i++;
      return { k: 'not', c: this.negation() };
    }
    return this.primary();
  }
  private primary(): Cond {
    if (this.peek() === '(') {
      this.i++;
      const c = this.condition();
      this.expect(')');
      return c;
    }
    const t = this.peek();
    if (t && FUNCTIONS.has(t) && this.peek(1) === '(') {
      this.i += 2;
      const args: Operand[] = [this.operand()];
      while (this.peek() === ',') {
        this.i++;
        args.push(this.operand());
      }
      this.expect(')');
      const arity = FUNCTIONS.get(t);
      if (args.length !== arity)
        throw validation(
          `Invalid ${this.what}: Incorrect number of operands for operator or function; operator or function: ${t}, number of operands: ${args.length}`,
        );
      return { k: 'fn', name: t, args };
    }
    const a = this.operand();
    if (this.kw('BETWEEN')) {
      this.i++;
      const lo = this.operand();
      if (!this.kw('AND')) throw validation(`Invalid ${this.what}: Syntax error; token: "${this.peek()}"`);
      this.i++;
      return { k: 'between', a, lo, hi: this.operand() };
    }
    if (this.kw('IN')) {
      this.i++;
      this.expect('(');
      const list = [this.operand()];
      while (this.peek() === ',') {
        this.i++;
        list.push(this.operand());
      }
      this.expect(')');
      // AWS's limit (dynalite does not enforce it).
      if (list.length > 100)
        throw validation(
          `Invalid ${this.what}: The expression contains too many operands for IN; limit: 100`,
        );
      return { k: 'in', a, list };
    }
    const op = this.next();
    if (!['=', '<>', '<', '<=', '>', '>='].includes(op))
      throw validation(`Invalid ${this.what}: Syntax error; token: "${op}"`);
    return { k: 'cmp', op, a, b: this.operand() };
  }

  update(): UpdateAction[] {
    const out: UpdateAction[] = [];
    const seen = new Set<string>();
    while (this.peek() !== undefined) {
      const clause = this.next().toUpperCase();
      if (seen.has(clause))
        throw validation(
          `Invalid ${this.what}: The "${clause}" section can only be used once in an update expression;`,
        );
      seen.add(clause);
      do {
        if (out.length && this.peek() === ',') this.i++;
        const path = this.path();
        if (clause === 'SET') {
          this.expect('=');
          out.push({ k: 'SET', path, v: this.setValue() });
        } else if (clause === 'REMOVE') out.push({ k: 'REMOVE', path });
        else if (clause === 'ADD' || clause === 'DELETE') out.push({ k: clause, path, v: this.operand() });
        else throw validation(`Invalid ${this.what}: Syntax error; token: "${clause}"`);
      } while (this.peek() === ',');
    }
    const paths = out.map((a) => a.path.join('.'));
    const dup = paths.find((p, i) => paths.some((q, j) => j !== i && (q === p || q.startsWith(`${p}.`))));
    if (dup !== undefined)
      throw validation(
        `Invalid ${this.what}: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${dup}]`,
      );
    return out;
  }
  private setValue(): Operand {
    const a = this.setTerm();
    const op = this.peek();
    if (op === '+' || op === '-') {
      this.i++;
      return { k: 'arith', op, a, b: this.setTerm() };
    }
    return a;
  }
  private setTerm(): Operand {
    const t = this.peek();
    if (t === 'if_not_exists' && this.peek(1) === '(') {
      this.i += 2;
      const path = this.path();
      this.expect(',');
      const v = this.setValue();
      this.expect(')');
      return { k: 'if_not_exists', path, v };
    }
    if (t === 'list_append' && this.peek(1) === '(') {
      this.i += 2;
      const a = this.setValue();
      this.expect(',');
      const b = this.setValue();
      this.expect(')');
      return { k: 'list_append', a, b };
    }
    return this.operand();
  }

  projection(): Path[] {
    const out = [this.path()];
    while (this.peek() === ',') {
      this.i++;
      out.push(this.path());
    }
    return out;
  }
}

const FUNCTIONS = new Map([
  ['attribute_exists', 1],
  ['attribute_not_exists', 1],
  ['attribute_type', 2],
  ['begins_with', 2],
  ['contains', 2],
]);

export interface ParsedExpressions {
  condition?: Cond;
  keyCondition?: Cond;
  filter?: Cond;
  update?: UpdateAction[];
  projection?: Path[];
}

/** Parses the expressions of one request; names and values must all be used, as DynamoDB requires. */
export function parseExpressions(req: {
  ConditionExpression?: string;
  KeyConditionExpression?: string;
  FilterExpression?: string;
  UpdateExpression?: string;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AV>;
}): ParsedExpressions {
  const ctx: Context = {
    names: req.ExpressionAttributeNames,
    values: req.ExpressionAttributeValues,
    usedNames: new Set(),
    usedValues: new Set(),
  };
  const out: ParsedExpressions = {};
  const run = <T>(src: string | undefined, what: string, f: (p: Parser) => T): T | undefined => {
    if (src === undefined) return undefined;
    const p = new Parser(src, ctx, what);
    const r = f(p);
    p.done();
    return r;
  };
  out.condition = run(req.ConditionExpression, 'ConditionExpression', (p) => p.condition());
  out.keyCondition = run(req.KeyConditionExpression, 'KeyConditionExpression', (p) => p.condition());
  out.filter = run(req.FilterExpression, 'FilterExpression', (p) => p.condition());
  out.update = run(req.UpdateExpression, 'UpdateExpression', (p) => p.update());
  out.projection = run(req.ProjectionExpression, 'ProjectionExpression', (p) => p.projection());
  const unusedNames = Object.keys(req.ExpressionAttributeNames ?? {}).filter((n) => !ctx.usedNames.has(n));
  if (unusedNames.length)
    throw validation(
      `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
    );
  const unusedValues = Object.keys(req.ExpressionAttributeValues ?? {}).filter((n) => !ctx.usedValues.has(n));
  if (unusedValues.length)
    throw validation(
      `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
    );
  return out;
}

// --- evaluation

export function resolve(item: Item, path: Path): AV | undefined {
  let cur: AV | undefined = item[path[0] as string];
  for (let i = 1; i < path.length && cur; i++) {
    const p = path[i] as string | number;
    cur = typeof p === 'number' ? cur.L?.[p] : cur.M?.[p];
  }
  return cur;
}

const typeOf = (v: AV) => Object.keys(v)[0] as keyof AV;

function operandValue(item: Item, o: Operand): AV | undefined {
  switch (o.k) {
    case 'val':
      return o.v;
    case 'path':
      return resolve(item, o.path);
    case 'size': {
      const v = resolve(item, o.path);
      if (!v) return undefined;
      const n =
        v.S !== undefined
          ? Buffer.byteLength(v.S)
          : v.B !== undefined
            ? Buffer.from(v.B, 'base64').length
            : ((v.L ?? v.SS ?? v.NS ?? v.BS)?.length ?? (v.M ? Object.keys(v.M).length : undefined));
      return n === undefined ? undefined : { N: String(n) };
    }
    case 'if_not_exists':
      return resolve(item, o.path) ?? operandValue(item, o.v);
    case 'list_append': {
      const a = operandValue(item, o.a);
      const b = operandValue(item, o.b);
      if (!a?.L || !b?.L) throw validation('An operand in the update expression has an incorrect data type');
      return { L: [...a.L, ...b.L] };
    }
    case 'arith': {
      const a = operandValue(item, o.a);
      const b = operandValue(item, o.b);
      if (a?.N === undefined || b?.N === undefined)
        throw validation('An operand in the update expression has an incorrect data type');
      return { N: num(o.op === '+' ? Number(a.N) + Number(b.N) : Number(a.N) - Number(b.N)) };
    }
  }
}

const num = (n: number) => String(Number(n.toPrecision(15)));

export function equal(a: AV, b: AV): boolean {
  const t = typeOf(a);
  if (t !== typeOf(b)) return false;
  switch (t) {
    case 'N':
      return Number(a.N) === Number(b.N);
    case 'SS':
    case 'NS':
    case 'BS': {
      const x = a[t] as string[];
      const y = new Set(b[t] as string[]);
      return x.length === y.size && x.every((e) => y.has(e));
    }
    case 'L':
      return a.L?.length === b.L?.length && (a.L ?? []).every((e, i) => equal(e, b.L?.[i] as AV));
    case 'M': {
      const ka = Object.keys(a.M ?? {});
      return (
        ka.length === Object.keys(b.M ?? {}).length &&
        ka.every((k) => b.M?.[k] !== undefined && equal(a.M?.[k] as AV, b.M?.[k] as AV))
      );
    }
    default:
      return a[t] === b[t];
  }
}

/** Order of two scalars of the same type (S by UTF-8 bytes, as DynamoDB), or undefined if not comparable. */
export function order(a: AV, b: AV): number | undefined {
  if (a.N !== undefined && b.N !== undefined) return Math.sign(Number(a.N) - Number(b.N));
  if (a.S !== undefined && b.S !== undefined) return Buffer.compare(Buffer.from(a.S), Buffer.from(b.S));
  if (a.B !== undefined && b.B !== undefined)
    return Buffer.compare(Buffer.from(a.B, 'base64'), Buffer.from(b.B, 'base64'));
  return undefined;
}

export function matches(item: Item, c: Cond): boolean {
  switch (c.k) {
    case 'and':
      return matches(item, c.l) && matches(item, c.r);
    case 'or':
      return matches(item, c.l) || matches(item, c.r);
    case 'not':
      return !matches(item, c.c);
    case 'cmp': {
      const a = operandValue(item, c.a);
      const b = operandValue(item, c.b);
      if (!a || !b) return false;
      if (c.op === '=') return equal(a, b);
      if (c.op === '<>') return !equal(a, b);
      const o = order(a, b);
      if (o === undefined) return false;
      return c.op === '<' ? o < 0 : c.op === '<=' ? o <= 0 : c.op === '>' ? o > 0 : o >= 0;
    }
    case 'between': {
      const a = operandValue(item, c.a);
      const lo = operandValue(item, c.lo);
      const hi = operandValue(item, c.hi);
      if (!a || !lo || !hi) return false;
      const x = order(a, lo);
      const y = order(a, hi);
      return x !== undefined && y !== undefined && x >= 0 && y <= 0;
    }
    case 'in': {
      const a = operandValue(item, c.a);
      return (
        !!a &&
        c.list.some((o) => {
          const v = operandValue(item, o);
          return !!v && equal(a, v);
        })
      );
    }
    case 'fn': {
      const [p, q] = c.args as [Operand, Operand | undefined];
      const pathArg = () => {
        if (p.k !== 'path') throw validation(`Invalid function operand; function: ${c.name}`);
        return resolve(item, p.path);
      };
      switch (c.name) {
        case 'attribute_exists':
          return pathArg() !== undefined;
        case 'attribute_not_exists':
          return pathArg() === undefined;
        case 'attribute_type': {
          const v = pathArg();
          return !!v && typeOf(v) === operandValue(item, q as Operand)?.S;
        }
        case 'begins_with': {
          const v = operandValue(item, p);
          const pre = operandValue(item, q as Operand);
          if (v?.S !== undefined && pre?.S !== undefined) return v.S.startsWith(pre.S);
          if (v?.B !== undefined && pre?.B !== undefined)
            return Buffer.from(v.B, 'base64')
              .subarray(0, Buffer.from(pre.B, 'base64').length)
              .equals(Buffer.from(pre.B, 'base64'));
          return false;
        }
        case 'contains': {
          const v = operandValue(item, p);
          const x = operandValue(item, q as Operand);
          if (!v || !x) return false;
          if (v.S !== undefined && x.S !== undefined) return v.S.includes(x.S);
          if (v.SS && x.S !== undefined) return v.SS.includes(x.S);
          if (v.NS && x.N !== undefined) return v.NS.some((n) => Number(n) === Number(x.N));
          if (v.BS && x.B !== undefined) return v.BS.includes(x.B);
          if (v.L) return v.L.some((e) => equal(e, x));
          return false;
        }
      }
      return false;
    }
  }
}

const clone = (v: AV): AV => structuredClone(v);

function setPath(item: Item, path: Path, v: AV) {
  if (path.length === 1) {
    item[path[0] as string] = v;
    return;
  }
  const parent = resolve(item, path.slice(0, -1));
  const last = path.at(-1) as string | number;
  if (typeof last === 'number' && parent?.L) {
    if (last >= parent.L.length) parent.L.push(v);
    else parent.L[last] = v;
  } else if (typeof last === 'string' && parent?.M) parent.M[last] = v;
  else throw validation('The document path provided in the update expression is invalid for update');
}

function removePath(item: Item, path: Path) {
  if (path.length === 1) {
    delete item[path[0] as string];
    return;
  }
  const parent = resolve(item, path.slice(0, -1));
  const last = path.at(-1) as string | number;
  if (typeof last === 'number' && parent?.L) parent.L.splice(last, 1);
  else if (typeof last === 'string' && parent?.M) delete parent.M[last];
}

/** Applies update actions to a copy of `old` (or to the key alone); returns the new item. */
export function applyUpdate(old: Item | undefined, key: Item, actions: UpdateAction[]): Item {
  const item: Item = old ? structuredClone(old) : { ...key };
  // Values are computed from the item as it was, as DynamoDB does.
  const before = old ?? key;
  for (const a of actions) {
    if (a.k === 'REMOVE') {
      removePath(item, a.path);
      continue;
    }
    const v = operandValue(before, a.v);
    if (!v)
      throw validation('The provided expression refers to an attribute that does not exist in the item');
    if (a.k === 'SET') {
      setPath(item, a.path, clone(v));
      continue;
    }
    const cur = resolve(item, a.path);
    const setType = (['SS', 'NS', 'BS'] as const).find((t) => v[t]);
    if (a.k === 'ADD') {
      if (v.N !== undefined) {
        if (cur && cur.N === undefined)
          throw validation('An operand in the update expression has an incorrect data type');
        setPath(item, a.path, { N: num(Number(cur?.N ?? 0) + Number(v.N)) });
      } else if (setType) {
        if (cur && !cur[setType])
          throw validation('An operand in the update expression has an incorrect data type');
        setPath(item, a.path, {
          [setType]: [...new Set([...(cur?.[setType] ?? []), ...(v[setType] ?? [])])],
        });
      } else throw validation('Incorrect operand type for operator or function; operator: ADD');
    } else {
      if (!setType) throw validation('Incorrect operand type for operator or function; operator: DELETE');
      if (!cur) continue;
      if (!cur[setType]) throw validation('An operand in the update expression has an incorrect data type');
      const drop = new Set(v[setType]);
      const left = (cur[setType] ?? []).filter((e) => !drop.has(e));
      if (left.length) setPath(item, a.path, { [setType]: left });
      else removePath(item, a.path);
    }
  }
  return item;
}

/** The attributes a projection names (nested paths kept in their maps and lists). */
export function project(item: Item, paths: Path[]): Item {
  const out: Item = {};
  for (const p of paths) {
    const v = resolve(item, p);
    if (!v) continue;
    if (p.length === 1) out[p[0] as string] = v;
    else {
      // Nested: rebuild the containers down to the value.
      let src: AV = { M: item };
      let dst: AV = { M: out };
      for (let i = 0; i < p.length; i++) {
        const seg = p[i] as string | number;
        const last = i === p.length - 1;
        const next = (typeof seg === 'number' ? src.L?.[seg] : src.M?.[seg]) as AV;
        const made: AV = last ? next : next.L ? { L: [] } : { M: {} };
        let into: AV = made;
        if (typeof seg === 'number') {
          dst.L = dst.L ?? [];
          dst.L.push(made);
        } else {
          dst.M = dst.M ?? {};
          into = dst.M[seg] ?? made;
          dst.M[seg] = into;
        }
        src = next;
        dst = into;
      }
    }
  }
  return out;
}

/** Item size as DynamoDB bills it: attribute names plus values (docs: "Item sizes and formats"). */
export function itemSize(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k) + valueSize(v);
  return n;
}
function valueSize(v: AV): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return Buffer.from(v.B, 'base64').length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((a, s) => a + Buffer.byteLength(s), 0);
  if (v.NS) return v.NS.reduce((a, s) => a + numberSize(s), 0);
  if (v.BS) return v.BS.reduce((a, s) => a + Buffer.from(s, 'base64').length, 0);
  if (v.L) return 3 + v.L.reduce((a, e) => a + 1 + valueSize(e), 0);
  if (v.M)
    return 3 + Object.entries(v.M).reduce((a, [k, e]) => a + 1 + Buffer.byteLength(k) + valueSize(e), 0);
  return 0;
}
function numberSize(n: string): number {
  const digits = n
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

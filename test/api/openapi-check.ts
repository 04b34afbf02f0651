/**
 * A structural check of an OpenAPI 3.x document against the rules of the specification that a
 * generator can get wrong (no schema package needed): version, info, path templates and their
 * parameters, operations and responses, parameter locations, unique operationIds, resolvable
 * $refs, declared security schemes. Returns one line per problem.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const LOCATIONS = ['query', 'header', 'path', 'cookie'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function resolve(doc: Obj, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

export function checkOpenApi(doc: unknown): string[] {
  const p: string[] = [];
  if (!isObj(doc)) return ['document is not an object'];
  if (typeof doc.openapi !== 'string' || !/^3\.\d+\.\d+$/.test(doc.openapi))
    p.push(`openapi: expected 3.x.y, got ${JSON.stringify(doc.openapi)}`);
  const info = doc.info;
  if (!isObj(info) || typeof info.title !== 'string' || typeof info.version !== 'string')
    p.push('info: title and version (strings) are required');
  if (!isObj(doc.paths)) return [...p, 'paths: required object'];
  const schemes = isObj(doc.components) && isObj(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  const opIds = new Set<string>();
  // every $ref anywhere must resolve
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${where}[${i}]`));
    else if (isObj(node)) {
      if (typeof node.$ref === 'string' && resolve(doc, node.$ref) === undefined)
        p.push(`${where}: $ref ${node.$ref} does not resolve`);
      for (const [k, v] of Object.entries(node)) walk(v, `${where}.${k}`);
    }
  };
  walk(doc, '#');
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) p.push(`paths: ${path} must start with /`);
    if (!isObj(item)) {
      p.push(`${path}: path item must be an object`);
      continue;
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const ops = Object.keys(item).filter((k) => METHODS.includes(k));
    if (ops.length === 0) p.push(`${path}: no operation`);
    for (const m of ops) {
      const op = item[m];
      const at = `${m.toUpperCase()} ${path}`;
      if (!isObj(op)) {
        p.push(`${at}: operation must be an object`);
        continue;
      }
      if (typeof op.operationId === 'string') {
        if (opIds.has(op.operationId)) p.push(`${at}: duplicate operationId ${op.operationId}`);
        opIds.add(op.operationId);
      }
      if (!isObj(op.responses) || Object.keys(op.responses).length === 0) p.push(`${at}: responses required`);
      else
        for (const [code, r] of Object.entries(op.responses)) {
          if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code)) p.push(`${at}: response key ${code} is not a status code`);
          const resp = isObj(r) && typeof r.$ref === 'string' ? resolve(doc, r.$ref) : r;
          if (!isObj(resp) || typeof resp.description !== 'string')
            p.push(`${at}: response ${code} needs a description`);
        }
      const params = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(op.parameters) ? op.parameters : []),
      ];
      const seen = new Set<string>();
      for (const raw of params) {
        const prm = isObj(raw) && typeof raw.$ref === 'string' ? resolve(doc, raw.$ref) : raw;
        if (!isObj(prm) || typeof prm.name !== 'string' || typeof prm.in !== 'string') {
          p.push(`${at}: parameter without name/in`);
          continue;
        }
        if (!LOCATIONS.includes(prm.in)) p.push(`${at}: parameter ${prm.name} has location ${prm.in}`);
        const key = `${prm.in}:${prm.name}`;
        if (seen.has(key)) p.push(`${at}: parameter ${key} declared twice`);
        seen.add(key);
        if (prm.in === 'path') {
          if (prm.required !== true) p.push(`${at}: path parameter ${prm.name} must be required`);
          if (!templated.includes(prm.name)) p.push(`${at}: path parameter ${prm.name} is not in the path`);
        }
        if ((prm.schema === undefined) === (prm.content === undefined))
          p.push(`${at}: parameter ${prm.name} needs exactly one of schema/content`);
      }
      for (const name of templated)
        if (!seen.has(`path:${name}`)) p.push(`${at}: path template {${name}} has no parameter`);
      const security = Array.isArray(op.security) ? op.security : Array.isArray(doc.security) ? doc.security : [];
      for (const req of security)
        if (isObj(req))
          for (const name of Object.keys(req))
            if (!(name in schemes)) p.push(`${at}: security scheme ${name} is not declared`);
    }
  }
  return p;
}

import type { Json } from './json-schema.js';
import type { OpenApiDocument } from './openapi.js';

/**
 * GET /docs: the OpenAPI document as one self-contained HTML page, rendered here from the
 * document itself: no script at all, no CDN, CSS inline. Every operation with its method, path,
 * summary, security, parameters, request body (content types, schema, examples) and responses;
 * then every schema of `components.schemas`, which the operations link to.
 */

type JsonObject = { [key: string]: Json };

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML (content and attribute values alike). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Prose of the document (CommonMark in OpenAPI): escaped, with its `code spans` kept as code. */
function prose(text: string | undefined): string {
  return escapeHtml(text ?? '').replace(/`([^`]+)`/g, '<code>$1</code>');
}

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const objectAt = (value: Json | undefined, key: string): JsonObject => {
  const inner = isObject(value) ? value[key] : undefined;
  return isObject(inner) ? inner : {};
};

const textAt = (value: Json | undefined, key: string): string | undefined => {
  const inner = isObject(value) ? value[key] : undefined;
  return typeof inner === 'string' ? inner : undefined;
};

/** JSON on one line when short, indented when not. */
function pretty(value: Json | undefined): string {
  const line = JSON.stringify(value) ?? '';
  return `<pre>${escapeHtml(line.length <= 100 ? line : JSON.stringify(value, null, 2))}</pre>`;
}

const REF_PREFIX = '#/components/schemas/';

/** A schema: a link to its component, or the schema itself. */
function schemaHtml(schema: Json | undefined): string {
  const ref = textAt(schema, '$ref');
  if (ref?.startsWith(REF_PREFIX)) {
    const name = ref.slice(REF_PREFIX.length);
    return `<a class="schema" href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;
  }
  const anyOf = isObject(schema) ? schema.anyOf : undefined;
  if (Array.isArray(anyOf) && anyOf.every((s) => textAt(s, '$ref')))
    return anyOf.map(schemaHtml).join(' or ');
  return pretty(schema);
}

/** Examples shown as they are; with several, each under its summary. */
/** A parameter's schema in a few words: `string, 1–2048 characters`. */
function schemaWords(schema: Json | undefined): string {
  if (textAt(schema, '$ref')) return schemaHtml(schema);
  const type = textAt(schema, 'type');
  if (!isObject(schema) || !type) return pretty(schema);
  const min = typeof schema.minLength === 'number' ? schema.minLength : undefined;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  const length =
    min !== undefined && max !== undefined
      ? `, ${min}–${max} characters`
      : max !== undefined
        ? `, at most ${max} characters`
        : min !== undefined
          ? `, at least ${min} character${min === 1 ? '' : 's'}`
          : '';
  return `<code>${escapeHtml(type)}</code>${escapeHtml(length)}`;
}

function examplesHtml(media: JsonObject): string {
  const examples = Object.entries(objectAt(media, 'examples'));
  return examples
    .map(([name, example]) => {
      const value = pretty(isObject(example) ? example.value : undefined);
      if (examples.length === 1) return value;
      return `<div class="example"><span class="muted">${escapeHtml(textAt(example, 'summary') ?? name)}</span>${value}</div>`;
    })
    .join('');
}

function securityHtml(op: JsonObject): string {
  const security = op.security;
  if (!Array.isArray(security)) return '<p class="muted">no access token</p>';
  const optional = security.some((s) => isObject(s) && Object.keys(s).length === 0);
  const schemes = security.flatMap((s) => (isObject(s) ? Object.keys(s) : []));
  return `<p>security: ${schemes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' or ')}${optional ? ' (optional)' : ''}</p>`;
}

function parametersHtml(op: JsonObject): string {
  const parameters = Array.isArray(op.parameters) ? op.parameters.filter(isObject) : [];
  if (parameters.length === 0) return '';
  const rows = parameters
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(textAt(p, 'name') ?? '')}</code></td><td>${p.required === true ? 'required' : 'optional'}</td>` +
        `<td>${prose(textAt(p, 'description'))}</td><td>${schemaWords(p.schema)}</td></tr>`,
    )
    .join('');
  return `<h4>query</h4><table><tr><th>name</th><th></th><th>description</th><th>schema</th></tr>${rows}</table>`;
}

function requestBodyHtml(op: JsonObject): string {
  const content = objectAt(op.requestBody, 'content');
  const types = Object.keys(content);
  if (types.length === 0) return '';
  const first = objectAt(content, types[0] as string);
  return (
    `<h4>request body</h4><p>${types.map((t) => `<code>${escapeHtml(t)}</code>`).join(', ')}: ${schemaHtml(first.schema)}</p>` +
    examplesHtml(first)
  );
}

function responsesHtml(op: JsonObject): string {
  const rows = Object.entries(objectAt(op, 'responses'))
    .map(([status, response]) => {
      const media = objectAt(objectAt(response, 'content'), 'application/json');
      const schema =
        media.schema === undefined ? '<span class="muted">no body</span>' : schemaHtml(media.schema);
      return (
        `<tr><td class="status s${escapeHtml(status.charAt(0))}">${escapeHtml(status)}</td>` +
        `<td>${prose(textAt(response, 'description'))}</td><td>${schema}${examplesHtml(media)}</td></tr>`
      );
    })
    .join('');
  return `<h4>responses</h4><table class="responses"><tr><th>status</th><th>description</th><th>body</th></tr>${rows}</table>`;
}

function operationHtml(path: string, method: string, op: JsonObject): string {
  const id = textAt(op, 'operationId') ?? `${method}-${path}`;
  const description = textAt(op, 'description');
  return (
    `<section class="op" id="${escapeHtml(id)}"><h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> ` +
    `<code class="path">${escapeHtml(path)}</code></h3><p class="summary">${prose(textAt(op, 'summary'))}</p>` +
    (description ? `<p>${prose(description)}</p>` : '') +
    securityHtml(op) +
    parametersHtml(op) +
    requestBodyHtml(op) +
    responsesHtml(op) +
    '</section>'
  );
}

const CSS = `
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}h2{margin-top:40px;border-bottom:2px solid #d5d9e0;padding-bottom:4px}
h3{margin:0 0 6px;font-size:17px}h4{margin:14px 0 6px;font-size:14px;text-transform:uppercase;color:#5a6272}
.op{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:14px 16px;margin:14px 0}
.method{display:inline-block;min-width:52px;text-align:center;border-radius:4px;padding:2px 6px;color:#fff;font-size:13px}
.get{background:#2f7d4f}.post{background:#2d5fa8}
.path{font-size:16px}.summary{font-weight:600;margin:4px 0}.muted{color:#6b7280}
table{border-collapse:collapse;width:100%;font-size:14px;table-layout:fixed}td,th{border-top:1px solid #e6e9ee;padding:6px 8px;text-align:left;vertical-align:top}
.status{font-weight:700;width:56px}.responses th:first-child{width:64px}.responses th:nth-child(2){width:30%}.s2{color:#2f7d4f}.s3{color:#8a6d00}.s4{color:#b45309}.s5{color:#b91c1c}
pre{background:#f1f3f6;border-radius:4px;padding:6px 8px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:13px;margin:4px 0}
.example{margin-top:6px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
nav ul{columns:2;padding-left:18px}a{color:#1d4ed8}
`;

/** The page: contents, operations grouped by tag, then the schemas. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const info = objectAt(doc, 'info');
  const tags = Array.isArray(doc.tags) ? doc.tags.filter(isObject) : [];
  const byTag = new Map<string, string[]>(tags.map((t) => [textAt(t, 'name') ?? '', []]));
  for (const [path, item] of Object.entries(objectAt(doc, 'paths'))) {
    for (const [method, op] of Object.entries(isObject(item) ? item : {})) {
      if (!isObject(op)) continue;
      const tag = Array.isArray(op.tags) && typeof op.tags[0] === 'string' ? op.tags[0] : '';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)?.push(operationHtml(path, method, op));
    }
  }
  const sections = [...byTag]
    .filter(([, ops]) => ops.length > 0)
    .map(([tag, ops]) => {
      const description = textAt(
        tags.find((t) => textAt(t, 'name') === tag),
        'description',
      );
      return `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${description ? `<p>${prose(description)}</p>` : ''}${ops.join('')}`;
    })
    .join('');
  const toc = [...byTag.keys()]
    .map((tag) => `<li><a href="#tag-${escapeHtml(tag)}">${escapeHtml(tag)}</a></li>`)
    .join('');
  const schemas = Object.entries(objectAt(objectAt(doc, 'components'), 'schemas'))
    .map(
      ([name, schema]) =>
        `<section class="op" id="schema-${escapeHtml(name)}"><h3><code>${escapeHtml(name)}</code></h3>${pretty(schema)}</section>`,
    )
    .join('');
  const servers = Array.isArray(doc.servers) ? doc.servers.map((s) => textAt(s, 'url') ?? '') : [];
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(textAt(info, 'title') ?? 'API')} API</title><style>${CSS}</style></head><body><main>` +
    `<h1>${escapeHtml(textAt(info, 'title') ?? 'API')} <small class="muted">${escapeHtml(textAt(info, 'version') ?? '')}</small></h1>` +
    `<p>${prose(textAt(info, 'description'))}</p>` +
    `<p>server: ${servers.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')} · OpenAPI ${escapeHtml(textAt(doc, 'openapi') ?? '')}: <a href="/docs/openapi.json">/docs/openapi.json</a></p>` +
    `<nav><ul>${toc}<li><a href="#schemas">schemas</a></li></ul></nav>` +
    sections +
    `<h2 id="schemas">schemas</h2>${schemas}` +
    '</main></body></html>'
  );
}

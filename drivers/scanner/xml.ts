/**
 * A small XML reader for the eSCL documents (capabilities, status, scan settings): elements,
 * attributes, text, CDATA, comments, processing instructions and the predefined and numeric
 * entities. No DTDs, no namespaces resolution: elements are matched by local name (`scan:ColorMode`
 * and `pwg:ColorMode` are both `ColorMode`), which is how eSCL clients read these documents.
 */
export interface XmlElement {
  /** Name as written, e.g. `scan:ColorMode`. */
  name: string;
  /** Name without its prefix, e.g. `ColorMode`. */
  local: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (not its children's), entities decoded, trimmed. */
  text: string;
}

export class XmlError extends Error {
  override name = 'XmlError';
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Parses a document and returns its root element; throws `XmlError` on malformed input. */
export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  const texts: string[][] = [];
  let root: XmlElement | null = null;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const lt = source.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) {
      const chunk = source.slice(i, textEnd);
      if (stack.length > 0) texts[texts.length - 1]?.push(decodeEntities(chunk));
      else if (chunk.trim() !== '') throw new XmlError('text outside the root element');
    }
    if (lt === -1) break;
    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt + 4);
      if (end === -1) throw new XmlError('unterminated comment');
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = source.indexOf(']]>', lt + 9);
      if (end === -1) throw new XmlError('unterminated CDATA');
      texts[texts.length - 1]?.push(source.slice(lt + 9, end));
      i = end + 3;
    } else if (source.startsWith('<?', lt)) {
      const end = source.indexOf('?>', lt + 2);
      if (end === -1) throw new XmlError('unterminated processing instruction');
      i = end + 2;
    } else if (source.startsWith('<!', lt)) {
      const end = source.indexOf('>', lt + 2);
      if (end === -1) throw new XmlError('unterminated declaration');
      i = end + 1;
    } else if (source.startsWith('</', lt)) {
      const end = source.indexOf('>', lt + 2);
      if (end === -1) throw new XmlError('unterminated end tag');
      const name = source.slice(lt + 2, end).trim();
      const open = stack.pop();
      const parts = texts.pop();
      if (open === undefined || open.name !== name) throw new XmlError(`unexpected </${name}>`);
      open.text = (parts ?? []).join('').trim();
      if (stack.length === 0) root = open;
      i = end + 1;
    } else {
      const end = findTagEnd(source, lt + 1);
      let body = source.slice(lt + 1, end);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const nameMatch = /^([^\s/>]+)/.exec(body);
      if (nameMatch?.[1] === undefined) throw new XmlError('element without a name');
      const name = nameMatch[1];
      const attributes: Record<string, string> = {};
      for (const m of body.slice(name.length).matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
        if (m[1] !== undefined) attributes[m[1]] = decodeEntities(m[3] ?? m[4] ?? '');
      }
      const element: XmlElement = { name, local: localName(name), attributes, children: [], text: '' };
      const parent = stack.at(-1);
      if (parent !== undefined) parent.children.push(element);
      else if (root !== null) throw new XmlError('more than one root element');
      if (selfClosing) {
        if (parent === undefined) root = element;
      } else {
        stack.push(element);
        texts.push([]);
      }
      i = end + 1;
    }
  }
  if (stack.length > 0) throw new XmlError(`<${stack.at(-1)?.name ?? ''}> is not closed`);
  if (root === null) throw new XmlError('no root element');
  return root;
}

function findTagEnd(source: string, from: number): number {
  let quote: string | null = null;
  for (let i = from; i < source.length; i += 1) {
    const c = source[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i;
    }
  }
  throw new XmlError('unterminated tag');
}

/** The first descendant (depth first, the element itself excluded) with this local name. */
export function findFirst(element: XmlElement, local: string): XmlElement | undefined {
  for (const child of element.children) {
    if (child.local === local) return child;
    const deeper = findFirst(child, local);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/** Every descendant with this local name, in document order. */
export function findAll(element: XmlElement, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) {
    if (child.local === local) out.push(child);
    out.push(...findAll(child, local));
  }
  return out;
}

/** The text of the first descendant with this local name, or undefined. */
export function textOf(element: XmlElement, local: string): string | undefined {
  return findFirst(element, local)?.text;
}

export function escapeXmlText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

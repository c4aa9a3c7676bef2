import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * What comments and docs may cite: files inside the repository only, never documents kept
 * elsewhere or tracker numbers; a cited section of docs/domain.md (its name, then `§` and the
 * number) or of docs/architecture.md (its name, a comma, then the heading in double quotes) must
 * exist. Pure functions over text plus one walk of the tree, so the test checks both the tree
 * and planted strings.
 */

/** A comment, or a paragraph of a Markdown file: its text without comment marks, and where it starts. */
export interface CommentBlock {
  /** 1-based line of `lines[0]`. */
  line: number;
  lines: string[];
}

export type CitationProblem =
  'outside-document' | 'tracker-number' | 'unknown-domain-section' | 'unknown-architecture-heading';

export interface Finding {
  file: string;
  line: number;
  problem: CitationProblem;
  /** The text that was found: the document's name, the tracker reference, `§` and the number, the quoted heading. */
  found: string;
}

/** The section numbers of docs/domain.md and the names docs/architecture.md may be cited by. */
export interface CitableDocs {
  domainSections: ReadonlySet<number>;
  architectureHeadings: ReadonlySet<string>;
}

const OUTSIDE_DOCUMENT = /(?<![\w/.-])(?:DOMAIN|ARCHITECTURE|STYLE)\.md\b|\bshared\/docs\b/g;
/**
 * The word issue (or issues) followed by a number, with or without a hash; or a hash and a number
 * on its own (not after a letter as in the PKCS standards' names, nor an HTML entity or a URL's
 * fragment).
 */
const TRACKER_NUMBER = /\bissues?\s+#?\d+\b|(?<![\w&#/])#\d+\b/gi;
const DOMAIN_CITE = /docs\/domain\.md/g;
const ARCHITECTURE_CITE = /docs\/architecture\.md,?\s+"([^"]+)"/g;

function normalise(heading: string): string {
  return heading.replace(/\s+/g, ' ').trim();
}

/** `## 3. Dossier lifecycle and statuses` → 3. */
export function domainSections(markdown: string): Set<number> {
  const out = new Set<number>();
  for (const m of markdown.matchAll(/^##\s+(\d+)\.\s+\S/gm)) out.add(Number(m[1]));
  return out;
}

/**
 * The names a part of a Markdown file may be cited by: every heading (`#` … `######`) as written
 * and its short title (the words before `: ` or ` (`: "Dossier codes" for "Dossier codes: leases
 * plus per-desk reserve"), and every paragraph title (a paragraph starting with bold words, as the
 * long sections use for their parts: `**Sender**`, `**Limits before login and on personal text.**`).
 */
export function markdownHeadings(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  let previousBlank = true;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (!fenced) {
      const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
      if (heading) {
        const name = normalise(heading[1]!);
        out.add(name);
        const short = /^(.+?)(?::\s| \()/.exec(name);
        if (short) out.add(short[1]!);
      }
      const title = previousBlank ? /^\*\*([^*]+?)\.?\*\*/.exec(line) : null;
      if (title) out.add(normalise(title[1]!));
    }
    previousBlank = line.trim() === '';
  }
  return out;
}

export function readCitableDocs(root: string): CitableDocs {
  const read = (name: string): string => readFileSync(join(root, 'docs', name), 'utf8');
  return {
    domainSections: domainSections(read('domain.md')),
    architectureHeadings: markdownHeadings(read('architecture.md')),
  };
}

/** The problems of one comment block; `line` in the findings is the block's line plus the offset. */
export function checkBlock(file: string, block: CommentBlock, docs: CitableDocs): Finding[] {
  const text = block.lines.join('\n');
  const lineOf = (index: number): number => block.line + (text.slice(0, index).match(/\n/g)?.length ?? 0);
  const findings: Finding[] = [];
  const add = (problem: CitationProblem, index: number, found: string): void => {
    findings.push({ file, line: lineOf(index), problem, found: normalise(found) });
  };
  for (const m of text.matchAll(OUTSIDE_DOCUMENT)) add('outside-document', m.index, m[0]);
  for (const m of text.matchAll(TRACKER_NUMBER)) add('tracker-number', m.index, m[0]);
  for (const m of text.matchAll(DOMAIN_CITE)) {
    // The sections cited after the name, up to the next document named (`§9, §3 statuses 9 and 10, §6 form 4`).
    const start = m.index + m[0].length;
    const rest = text.slice(start, start + 160);
    const stop = rest.search(/\.md\b|\bRFC\b|\bdocs\//);
    const scope = stop < 0 ? rest : rest.slice(0, stop);
    for (const s of scope.matchAll(/§\s?(\d+)/g)) {
      if (!docs.domainSections.has(Number(s[1]))) add('unknown-domain-section', start + s.index, s[0]);
    }
  }
  for (const m of text.matchAll(ARCHITECTURE_CITE)) {
    const heading = normalise(m[1]!);
    if (!docs.architectureHeadings.has(heading)) add('unknown-architecture-heading', m.index, `"${heading}"`);
  }
  return findings;
}

/** Repository paths a Markdown file names in backticks (`main/…`, `common/…`, …), in order, once each. */
export function namedPaths(markdown: string): string[] {
  const paths = [
    ...markdown.matchAll(/`((?:main|common|drivers|preload|renderer|resources|docs|tests|bench|bin)\/[^`\s]*)`/g),
  ].map((m) => m[1]!);
  return [...new Set(paths)];
}

// ---- comments of each kind of file ----

function stripMarks(line: string): string {
  return line.replace(/^\s*(?:\/\*+|\*+\/?|\/\/+|<!--)?\s?/, '').replace(/\s*(?:\*\/|-->)\s*$/, '');
}

function blockAt(text: string, pos: number, end: number, firstLine: number): CommentBlock {
  const line = firstLine + (text.slice(0, pos).match(/\n/g)?.length ?? 0);
  return { line, lines: text.slice(pos, end).split('\n').map(stripMarks) };
}

/** Tokens after which a `/` starts a division, not a regular expression. */
const ENDS_OPERAND = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.Identifier,
  ts.SyntaxKind.PrivateIdentifier,
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.CloseParenToken,
  ts.SyntaxKind.CloseBracketToken,
  ts.SyntaxKind.CloseBraceToken,
  ts.SyntaxKind.PlusPlusToken,
  ts.SyntaxKind.MinusMinusToken,
  ts.SyntaxKind.ThisKeyword,
  ts.SyntaxKind.SuperKeyword,
  ts.SyntaxKind.NullKeyword,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.UndefinedKeyword,
]);

/**
 * The comments of TypeScript / JavaScript source, read with the compiler's own scanner (about
 * ten times faster than parsing every file). The scanner alone cannot tell a regular expression
 * from a division, nor the `}` closing a template's `${…}` from a block's: a `/` after an operand
 * is a division, otherwise it is rescanned as a regular expression, and a stack of brace depths
 * rescans the `}` that continues a template. So text inside strings, templates and regular
 * expressions is never taken for a comment.
 */
export function scriptComments(text: string, kind: ts.ScriptKind = ts.ScriptKind.TS, firstLine = 1): CommentBlock[] {
  const variant =
    kind === ts.ScriptKind.TSX || kind === ts.ScriptKind.JSX ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, variant, text);
  const blocks: CommentBlock[] = [];
  const templateBraces: number[] = [];
  let previous: ts.SyntaxKind | null = null;
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    switch (token) {
      case ts.SyntaxKind.SingleLineCommentTrivia:
      case ts.SyntaxKind.MultiLineCommentTrivia:
        blocks.push(blockAt(text, scanner.getTokenStart(), scanner.getTokenEnd(), firstLine));
        continue;
      case ts.SyntaxKind.WhitespaceTrivia:
      case ts.SyntaxKind.NewLineTrivia:
      case ts.SyntaxKind.ShebangTrivia:
      case ts.SyntaxKind.ConflictMarkerTrivia:
        continue;
      case ts.SyntaxKind.SlashToken:
      case ts.SyntaxKind.SlashEqualsToken:
        if (previous === null || !ENDS_OPERAND.has(previous)) token = scanner.reScanSlashToken();
        break;
      case ts.SyntaxKind.TemplateHead:
        templateBraces.push(0);
        break;
      case ts.SyntaxKind.OpenBraceToken:
        if (templateBraces.length > 0) templateBraces[templateBraces.length - 1]! += 1;
        break;
      case ts.SyntaxKind.CloseBraceToken:
        if (templateBraces.length > 0) {
          if (templateBraces[templateBraces.length - 1] === 0) {
            token = scanner.reScanTemplateToken(false);
            if (token === ts.SyntaxKind.TemplateTail) templateBraces.pop();
          } else {
            templateBraces[templateBraces.length - 1]! -= 1;
          }
        }
        break;
      default:
        break;
    }
    previous = token;
  }
  return blocks;
}

function regexBlocks(text: string, re: RegExp, firstLine = 1): CommentBlock[] {
  return [...text.matchAll(re)].map((m) => blockAt(text, m.index, m.index + m[0].length, firstLine));
}

function lineOfIndex(text: string, index: number): number {
  return 1 + (text.slice(0, index).match(/\n/g)?.length ?? 0);
}

/** A single-file component: the script blocks' comments, the template's `<!-- -->`, the style's `/* *\/`. */
export function vueComments(text: string): CommentBlock[] {
  const blocks: CommentBlock[] = [];
  let rest = text;
  for (const m of text.matchAll(/(<script\b[^>]*>)([\s\S]*?)<\/script>/g)) {
    const bodyStart = m.index + m[1]!.length;
    const body = m[2]!;
    blocks.push(
      ...scriptComments(
        body,
        /\blang=["']ts["']/.test(m[1]!) ? ts.ScriptKind.TS : ts.ScriptKind.JS,
        lineOfIndex(text, bodyStart),
      ),
    );
    rest = rest.replace(m[0], (s) => s.replace(/[^\n]/g, ' '));
  }
  for (const m of rest.matchAll(/(<style\b[^>]*>)([\s\S]*?)<\/style>/g)) {
    const bodyStart = m.index + m[1]!.length;
    blocks.push(...regexBlocks(m[2]!, /\/\*[\s\S]*?\*\//g, lineOfIndex(text, bodyStart)));
    rest = rest.replace(m[0], (s) => s.replace(/[^\n]/g, ' '));
  }
  blocks.push(...regexBlocks(rest, /<!--[\s\S]*?-->/g));
  return blocks.sort((a, b) => a.line - b.line);
}

/** Markdown is all prose: each paragraph (lines up to a blank line) is one block. */
export function markdownBlocks(text: string): CommentBlock[] {
  const blocks: CommentBlock[] = [];
  let current: CommentBlock | null = null;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') {
      current = null;
      return;
    }
    if (current === null) {
      current = { line: i + 1, lines: [] };
      blocks.push(current);
    }
    current.lines.push(line);
  });
  return blocks;
}

/** Shell scripts, YAML and package lists: whole-line `#` comments (not a `#!` line). */
export function hashComments(text: string): CommentBlock[] {
  const blocks: CommentBlock[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^\s*#(?!!)\s?(.*)$/.exec(line);
    if (m) blocks.push({ line: i + 1, lines: [m[1]!] });
  });
  return blocks;
}

const SCRIPT_KINDS: Record<string, ts.ScriptKind> = {
  '.ts': ts.ScriptKind.TS,
  '.mts': ts.ScriptKind.TS,
  '.cts': ts.ScriptKind.TS,
  '.js': ts.ScriptKind.JS,
  '.mjs': ts.ScriptKind.JS,
  '.cjs': ts.ScriptKind.JS,
};

/** The comment blocks of a file by its name; null for a kind of file that is not checked. */
export function commentsOf(file: string, text: string): CommentBlock[] | null {
  const ext = extname(file);
  const scriptKind = SCRIPT_KINDS[ext];
  if (scriptKind !== undefined) return scriptComments(text, scriptKind);
  if (ext === '.vue') return vueComments(text);
  if (ext === '.md') return markdownBlocks(text);
  if (ext === '.yml' || ext === '.yaml' || ext === '.sh' || file.split(/[\\/]/).includes('.ci'))
    return hashComments(text);
  return null;
}

/** Where comments and docs are checked: the source folders, and the files at the top. */
export const CHECKED_FOLDERS = [
  'main',
  'common',
  'drivers',
  'preload',
  'renderer',
  'bench',
  'tests',
  'bin',
  'docs',
  '.ci',
  'resources',
  'build',
];
const SKIPPED_FOLDERS = new Set(['node_modules', 'out', 'dist', '.git', '.tmp']);

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_FOLDERS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Every checked file of the tree, as paths relative to `root` with `/`. */
export function checkedFiles(root: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile()) files.push(join(root, entry.name));
  }
  for (const folder of CHECKED_FOLDERS) {
    const dir = join(root, folder);
    try {
      if (!statSync(dir).isDirectory()) continue;
    } catch {
      continue;
    }
    files.push(...walk(dir));
  }
  return files
    .map((f) => relative(root, f).split(sep).join('/'))
    .filter((f) => commentsOf(f, '') !== null)
    .sort();
}

/** Every finding in the tree under `root`. */
export function checkTree(root: string, docs: CitableDocs = readCitableDocs(root)): Finding[] {
  const findings: Finding[] = [];
  for (const file of checkedFiles(root)) {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch (err) {
      // Moved or deleted since the folder was listed.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const blocks = commentsOf(file, text) ?? [];
    for (const block of blocks) findings.push(...checkBlock(file, block, docs));
  }
  return findings;
}

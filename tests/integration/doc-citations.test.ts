import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkBlock,
  checkedFiles,
  checkTree,
  commentsOf,
  domainSections,
  markdownHeadings,
  namedPaths,
  readCitableDocs,
  scriptComments,
  type CitableDocs,
  type Finding,
} from './doc-citations';

/**
 * Comments and docs cite only what is inside the repository: docs/domain.md by section number,
 * docs/architecture.md by heading, and never a document kept elsewhere or a tracker number
 * (`doc-citations.ts`). The checker is shown to catch each kind of bad citation in planted text
 * and in a planted tree, then run over the real tree.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

// Built from parts so that this file's own text holds none of what it looks for.
const OLD_DOMAIN = ['DOMAIN', 'md'].join('.');
const OLD_ARCHITECTURE = ['ARCHITECTURE', 'md'].join('.');
const HASH = '#';

const docs: CitableDocs = {
  domainSections: new Set([1, 2, 3, 4, 5]),
  architectureHeadings: markdownHeadings(
    [
      '# Title',
      '',
      '## Sync',
      '',
      '**Sender** (`outbox-sender.ts`) loops.',
      '',
      '## Dossier codes: leases plus per-desk reserve',
      '### Audit chain: keyed and anchored',
    ].join('\n'),
  ),
};

function problems(file: string, text: string): string[] {
  const blocks = commentsOf(file, text);
  if (blocks === null) throw new Error(`${file} is not a checked kind of file`);
  return blocks.flatMap((b) => checkBlock(file, b, docs)).map((f) => `${f.line}:${f.problem}:${f.found}`);
}

function describeFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line} ${f.problem} ${f.found}`).join('\n');
}

describe('the citation checker', () => {
  it('flags the old documents in a comment, never in a string', () => {
    expect(
      problems(
        'a.ts',
        `// see ${OLD_DOMAIN} §4\nconst s = '${OLD_DOMAIN} §4';\n/**\n * Drivers (${OLD_ARCHITECTURE} §4).\n */\nexport const t = \`${OLD_ARCHITECTURE}\`;\n`,
      ),
    ).toEqual([`1:outside-document:${OLD_DOMAIN}`, `4:outside-document:${OLD_ARCHITECTURE}`]);
  });

  it('flags tracker numbers in comments, not PKCS#11, entities, strings or the word in other senses', () => {
    const text = [
      '/** Return of results (issue 6): the hand-over. */',
      `// Fixed in ${HASH}12, see (Issue 4, signing).`,
      '// PKCS#11 modules; `&#39;` is an entity; zod issues carry a path; see issue.* keys.',
      `const label = 'issue 7 ${HASH}8';`,
      '/* issues 3 and 4 */',
    ].join('\n');
    expect(problems('b.ts', text)).toEqual([
      '1:tracker-number:issue 6',
      `2:tracker-number:${HASH}12`,
      '2:tracker-number:Issue 4',
      '5:tracker-number:issues 3',
    ]);
  });

  it('checks every section cited after docs/domain.md, also across lines', () => {
    const text = [
      '/**',
      ' * Statuses (docs/domain.md §3), returns (docs/domain.md §9, §3 statuses 9 and 10, §5 form 4).',
      ' * Wrapped: docs/domain.md',
      ' * §12. A standard: RFC 8017 §9.2 and PDF 32000-1 §9.6.4 are not ours.',
      ' */',
    ].join('\n');
    expect(problems('c.ts', text)).toEqual(['2:unknown-domain-section:§9', '4:unknown-domain-section:§12']);
  });

  it('checks the heading cited after docs/architecture.md: a heading, its short title or a paragraph title', () => {
    const text = [
      '// docs/architecture.md, "Sync" → Sender; docs/architecture.md, "Sender"; docs/architecture.md, "Dossier codes".',
      '// docs/architecture.md, "Audit chain: keyed and',
      '// anchored"; docs/architecture.md "Synk".',
    ].join('\n');
    expect(problems('d.ts', text)).toEqual(['3:unknown-architecture-heading:"Synk"']);
  });

  it('reads comments, not code: regular expressions, divisions and templates hold no comments', () => {
    const text = [
      'const re = /\\/\\/ issue 1/u; const half = total / 2; // issue 2',
      "if (!/^[A-Za-z]:\\\\/.test(rest)) throw new Error('x');",
      "const url = `https://example.org/${a /* issue 3 */}/${'//'} issue 4`; // issue 5",
      'const nested = `${`${x}`}`; /* issue 6 */',
    ].join('\n');
    expect(scriptComments(text).map((b) => b.lines.join(' '))).toEqual(['issue 2', 'issue 3', 'issue 5', 'issue 6']);
    expect(problems('e.ts', text)).toEqual([
      '1:tracker-number:issue 2',
      '3:tracker-number:issue 3',
      '3:tracker-number:issue 5',
      '4:tracker-number:issue 6',
    ]);
  });

  it('reads a single-file component: template, script and style comments, not the template text', () => {
    const text = [
      '<template>',
      '  <!-- issue 1 -->',
      '  <p>issue 2 is shown to the user</p>',
      '</template>',
      '<script setup lang="ts">',
      '// ${OLD_DOMAIN} §3',
      "const text = 'issue 3';",
      '</script>',
      '<style scoped>',
      '/* Signing panel (issue 4). */',
      '.a { color: #151515; }',
      '</style>',
    ]
      .join('\n')
      .replace('${OLD_DOMAIN}', OLD_DOMAIN);
    expect(problems('F.vue', text)).toEqual([
      '2:tracker-number:issue 1',
      `6:outside-document:${OLD_DOMAIN}`,
      '10:tracker-number:issue 4',
    ]);
  });

  it('reads Markdown as prose and shell scripts by their # comments', () => {
    expect(problems('g.md', `# Title\n\nIssue 6, return of results (${OLD_DOMAIN} §1, docs/domain.md §7).\n`)).toEqual([
      '3:outside-document:' + OLD_DOMAIN,
      '3:tracker-number:Issue 6',
      '3:unknown-domain-section:§7',
    ]);
    expect(problems('.ci/run', `#!/usr/bin/env bash\n# step for issue 9\necho "issue 10"\n`)).toEqual([
      '2:tracker-number:issue 9',
    ]);
  });

  it('parses the section numbers of docs/domain.md and the headings of docs/architecture.md', () => {
    expect([
      ...domainSections('# Domain\n\n## 1. People\n\ntext\n\n## 2. Codes\n### 2.1 not a section\n## Notes\n'),
    ]).toEqual([1, 2]);
    const real = readCitableDocs(repoRoot);
    expect([...real.domainSections].sort((a, b) => a - b)).toEqual(
      Array.from({ length: real.domainSections.size }, (_, i) => i + 1),
    );
    expect(real.domainSections.size).toBeGreaterThanOrEqual(9);
    for (const heading of [
      'Sync',
      'Return of results',
      'Drivers',
      'Digitisation',
      'Signing and verification',
      'ID card QR',
    ]) {
      expect(real.architectureHeadings.has(heading), heading).toBe(true);
    }
  });
});

describe('a planted tree', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'doc-citations-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is clean with good citations and fails on each planted bad one', () => {
    mkdirSync(join(scratch, 'docs'));
    writeFileSync(join(scratch, 'docs', 'domain.md'), '# Domain\n\n## 1. People and places\n\n## 2. Codes\n');
    writeFileSync(
      join(scratch, 'docs', 'architecture.md'),
      '# Architecture\n\nThe domain: docs/domain.md.\n\n## Sync\n',
    );
    mkdirSync(join(scratch, 'main', 'x'), { recursive: true });
    mkdirSync(join(scratch, 'renderer', 'src'), { recursive: true });
    writeFileSync(
      join(scratch, 'main', 'x', 'good.ts'),
      '/** Codes (docs/domain.md §2; docs/architecture.md, "Sync"). */\nexport const a = 1;\n',
    );
    expect(describeFindings(checkTree(scratch))).toBe('');

    writeFileSync(
      join(scratch, 'main', 'x', 'bad.ts'),
      `/** Codes (${OLD_DOMAIN} §3, issue 6). */\nexport const b = 2; // docs/domain.md §99\n`,
    );
    writeFileSync(
      join(scratch, 'renderer', 'src', 'Bad.vue'),
      '<template><!-- docs/architecture.md, "No such heading" --><p /></template>\n',
    );
    writeFileSync(join(scratch, 'README.md'), `# Desk\n\nSee ${HASH}12.\n`);
    expect(checkTree(scratch).map((f) => `${f.file}:${f.line}:${f.problem}`)).toEqual([
      'README.md:3:tracker-number',
      'main/x/bad.ts:1:outside-document',
      'main/x/bad.ts:1:tracker-number',
      'main/x/bad.ts:2:unknown-domain-section',
      'renderer/src/Bad.vue:1:unknown-architecture-heading',
    ]);
  });
});

describe('the repository', () => {
  it('walks the source folders and the docs', () => {
    const files = checkedFiles(repoRoot);
    expect(files).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/domain.md',
        'docs/architecture.md',
        'common/domain/status.ts',
        'renderer/src/App.vue',
        '.ci/run',
      ]),
    );
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('out/'))).toBe(false);
  });

  it('has every file and folder docs/domain.md names', () => {
    const named = namedPaths(readFileSync(join(repoRoot, 'docs', 'domain.md'), 'utf8'));
    expect(named.length).toBeGreaterThan(10);
    // A wildcard names the files of a folder: the folder must exist.
    const missing = named.filter((p) => !existsSync(join(repoRoot, p.includes('*') ? dirname(p) : p)));
    expect(missing).toEqual([]);
  });

  it('cites only docs inside it, by sections and headings that exist, and no tracker numbers', () => {
    expect(describeFindings(checkTree(repoRoot))).toBe('');
  });
});

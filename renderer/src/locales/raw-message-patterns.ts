/**
 * Ways a core's, a library's or a remote's own text can reach a screen instead of a locale text
 * chosen by a stable code. `error-text.test.ts` scans every `.vue` file for them; a screen words
 * an error with `errorText` / `codeText` / `verifyProblemText` / `syncErrorText` instead.
 */
export const RAW_MESSAGE_PATTERNS: readonly (readonly [what: string, pattern: RegExp])[] = [
  ["an error's message read (err.message, error.message, printError.message, d.message)", /\.message\b/u],
  ['a thrown value turned into text', /String\(\s*(?:e|err|error|reason)\s*\)/u],
  ['a raw problem, error or last error interpolated', /\{\{[^}]*\.(?:problem|error|lastError|breakerError)\s*\}\}/u],
  [
    'a raw problem or error passed as a locale parameter',
    /\b(?:message|reason|detail):\s*[\w.?]*(?:lastError|breakerError|problem|\.error|Error)\s*[,}]/u,
  ],
  ['a raw message as an ErrorBox detail', /:detail="[^"]*(?:message|\.error\b|lastError)/u],
];

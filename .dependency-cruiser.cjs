/**
 * Import walls between the process folders (docs/architecture.md, "What may import what").
 * Run: npm run lint:walls  (tests/integration/import-walls.test.ts runs it too).
 *
 * Paths are relative to the directory depcruise runs in. Packages are matched on
 * "node_modules/<name>/" anywhere in the resolved path, and unresolved bare names on the name itself,
 * so the rules hold whether a package is installed or not. Unit tests (*.test.ts) may use test
 * tooling (vitest, node:*) and twins, but never cross a folder wall.
 */
const TEST = '\\.test\\.ts$';
const ELECTRON = ['(^|/)node_modules/electron/', '^electron(/|$)'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // common: environment-free, used by every process.
    {
      name: 'common-only-common-and-zod',
      comment: 'common/ may import only common/ and zod: no node:*, no electron, no DOM, no other folder.',
      severity: 'error',
      from: { path: '^common/', pathNot: TEST },
      to: { pathNot: ['^common/', '(^|/)node_modules/zod/', '^zod(/|$)'] },
    },
    {
      name: 'common-tests-stay-in-common',
      comment: 'Tests beside common/ code may use test tooling, but no other app folder.',
      severity: 'error',
      from: { path: `^common/.*${TEST}` },
      to: { path: ['^(main|drivers|preload|renderer)/', ...ELECTRON] },
    },

    // drivers: devices, in the core host.
    {
      name: 'drivers-not-to-electron',
      comment: 'Drivers run in the core host, which imports nothing from Electron.',
      severity: 'error',
      from: { path: '^drivers/' },
      to: { path: ELECTRON },
    },
    {
      name: 'drivers-not-to-main-preload-renderer',
      comment: 'Drivers depend on common and device libraries only.',
      severity: 'error',
      from: { path: '^drivers/' },
      to: { path: '^(main|preload|renderer)/' },
    },

    // main: the core host (all of main/ except main/shell/).
    {
      name: 'main-not-to-electron',
      comment: 'Only main/shell/ (and preload) import electron; the core host is plain Node.',
      severity: 'error',
      from: { path: '^main/', pathNot: '^main/shell/' },
      to: { path: ELECTRON },
    },
    {
      name: 'main-not-to-renderer-preload',
      comment: 'Nothing in main/ (shell included) imports the renderer or the preload.',
      severity: 'error',
      from: { path: '^main/' },
      to: { path: '^(renderer|preload)/' },
    },
    {
      name: 'main-drivers-through-ports',
      comment:
        'The core sees drivers only through drivers/index.ts (createDrivers), the *.port.ts types ' +
        'and drivers/device-error.ts. Unit tests may use a twin directly.',
      severity: 'error',
      from: { path: '^main/', pathNot: ['^main/shell/', TEST] },
      to: { path: '^drivers/', pathNot: ['^drivers/index\\.ts$', '^drivers/device-error\\.ts$', '^drivers/.+\\.port\\.ts$'] },
    },

    // main/shell: the Electron main process.
    {
      name: 'shell-not-to-drivers-store',
      comment: 'The shell starts the core host; devices and the store live there, not in the shell.',
      severity: 'error',
      from: { path: '^main/shell/' },
      to: { path: '^(drivers|main/store)/' },
    },

    // preload: contextBridge only.
    {
      name: 'preload-not-to-node-builtins',
      comment: 'A sandboxed preload has no Node: only electron renderer APIs and common/.',
      severity: 'error',
      from: { path: '^preload/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'preload-not-to-main-drivers-renderer',
      comment: 'The preload exposes the contract (common/); it never reaches into other processes.',
      severity: 'error',
      from: { path: '^preload/' },
      to: { path: '^(main|drivers|renderer)/' },
    },

    // renderer: the sandboxed UI.
    {
      name: 'renderer-not-to-electron',
      comment: 'The renderer talks to the core only through window.motcua (renderer/src/api).',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ELECTRON },
    },
    {
      name: 'renderer-not-to-node-builtins',
      comment: 'The renderer runs in a browser sandbox: no node:* (its unit tests and vite config may use them).',
      severity: 'error',
      from: { path: '^renderer/', pathNot: [TEST, '^renderer/vite\\.config\\.ts$'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-not-to-main-drivers-preload',
      comment: 'The renderer imports common/ and its own code only.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(main|drivers|preload)/' },
    },
  ],
  options: {
    // Packages are not cruised into, but stay in the graph as targets. Do not add node_modules to
    // `exclude`: excluded modules vanish as targets too, and the zod/electron rules would never fire.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(out|dist|release)/' },
    moduleSystems: ['es6', 'cjs'],
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};

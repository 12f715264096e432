// The layering, checked by `npm run layers` (a step of `npm test`). Unlike ESLint's import/no-cycle,
// dependency-cruiser counts `import type` (tsPreCompilationDeps), so a cycle made only of types
// fails here too. Paths are relative to the repository root.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycles',
      comment: 'No module reaches itself through its imports, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles-in-src',
      comment:
        'No folder of src reaches itself through another (for example notices/ and delivery/ importing ' +
        'each other): a folder is a role, and roles depend one way.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { path: '^src/', circular: true },
    },
    {
      name: 'pacing-free-of-steps',
      comment:
        'src/lib/pacing (request budget, rate-limit block, deadline, paced client) paces every Bynder ' +
        'client the app builds, the settings form and the schema function included: it knows nothing of ' +
        "a batch's steps or of who notifies whom.",
      severity: 'error',
      from: { path: '^src/lib/pacing/' },
      to: { path: '^src/lib/(delivery|notices|settings|fields)/' },
    },
    {
      name: 'state-free-of-steps',
      comment:
        'src/lib/state holds the rows that outlive an invocation; the steps that read and write them ' +
        '(delivery, pacing, notices, settings) depend on it, never the reverse.',
      severity: 'error',
      from: { path: '^src/lib/state/' },
      to: { path: '^src/lib/(delivery|pacing|notices|settings|fields|bynder)/' },
    },
    {
      name: 'lib-free-of-sdk',
      comment:
        'src/lib is SDK-free: stores, logger, clock and HTTP client come in as arguments ' +
        '(src/lib/runtime-ports.ts). The SDK resolves to node_modules or, when absent, to the stand-in.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^(node_modules/@zaiusinc/app-sdk|dev/app-sdk)(/|$)' },
    },
    {
      name: 'lib-free-of-entry-points',
      comment: 'The entry points (destinations, jobs, lifecycle) call src/lib, never the reverse.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/(destinations|jobs|lifecycle)/' },
    },
    {
      name: 'src-free-of-dev',
      comment:
        'src/ is what OCP runs; dev/ holds the local tools. The SDK stand-in in dev/app-sdk is reached ' +
        'only by the package name, through tsconfig paths, when the real SDK is absent.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^dev/', dependencyTypesNot: ['aliased-tsconfig-paths'] },
    },
    {
      name: 'src-free-of-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'emulator-free-of-src',
      comment:
        "The Bynder emulator states Bynder's API by its own definitions, from Bynder's docs; sharing " +
        "the client's types would let one mistake in both go unseen. Reached through any other module too.",
      severity: 'error',
      from: { path: '^dev/bynder-emulator/' },
      to: { path: '^src/', reachable: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every relative import resolves to a file.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, dependencyTypesNot: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // test/types/ holds declaration fixtures that resolve the SDK through their own tsconfig paths.
    exclude: { path: '^(dist|\\.build|coverage|test/types)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};

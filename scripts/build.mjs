// Builds what OCP loads: compiled src/ in dist/ (dist/destinations/*.js, dist/lifecycle/Lifecycle.js,
// dist/lib/...), plus app.yml and every YAML file under src/, in the same tree (the runtime reads
// app.yml and destinations/schema/*.yml from inside the build dir). Node built-ins only.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    'Usage: npm run build [-- --out-dir DIR]\n\n' +
      'Compiles src/ into dist/ (or DIR) with tsconfig.build.json and copies app.yml and the YAML files\n' +
      'under src/ beside it, as OCP loads the app.\n\n' +
      'Options:\n  --out-dir DIR  build into DIR instead of dist/\n  -h, --help     show this help\n',
  );
  process.exit(0);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `--out-dir <dir>` builds elsewhere (tests build a private copy so they never race on dist/).
const outDirFlag = process.argv.indexOf('--out-dir');
const customOut = outDirFlag === -1 ? undefined : process.argv[outDirFlag + 1];
const dist = customOut ? path.resolve(customOut) : path.join(root, 'dist');
const staging = customOut ? `${dist}.staging` : path.join(root, '.build');

rmSync(dist, { recursive: true, force: true });
rmSync(staging, { recursive: true, force: true });

// tsc from this project's node_modules, run by the current node (no shell, no npx lookup).
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(
  process.execPath,
  [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', staging],
  {
    cwd: root,
    encoding: 'utf8',
  },
);
if (compiled.status !== 0) {
  process.stderr.write(compiled.stdout + compiled.stderr);
  process.stderr.write(`build failed: tsc exited with ${compiled.status ?? compiled.signal}\n`);
  rmSync(staging, { recursive: true, force: true });
  process.exit(1);
}

// rootDir is "." (the stand-in SDK may join the program through `paths`), so src lands in .build/src.
renameSync(path.join(staging, 'src'), dist);
rmSync(staging, { recursive: true, force: true });
rebaseSourceMaps(dist, path.join(staging, 'src'));

cpSync(path.join(root, 'app.yml'), path.join(dist, 'app.yml'));
const yamlFiles = copyYaml(path.join(root, 'src'), dist);

process.stdout.write(
  `built ${path.relative(root, dist) || dist}/ (app.yml + ${yamlFiles} YAML file(s) from src/)\n`,
);

/** Source maps name their sources relative to where tsc wrote them; point them at src/ from dist/. */
function rebaseSourceMaps(dir, stagedDir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      rebaseSourceMaps(file, path.join(stagedDir, entry.name));
    } else if (entry.name.endsWith('.js.map')) {
      const map = JSON.parse(readFileSync(file, 'utf8'));
      map.sources = map.sources.map((source) => path.relative(dir, path.resolve(stagedDir, source)));
      writeFileSync(file, JSON.stringify(map));
    }
  }
}

/** Copies every *.yml / *.yaml under `from` into `to`, keeping the tree; returns how many. */
function copyYaml(from, to) {
  let count = 0;
  if (!existsSync(from)) return count;
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      count += copyYaml(source, target);
    } else if (/\.ya?ml$/i.test(entry.name)) {
      mkdirSync(to, { recursive: true });
      cpSync(source, target);
      count += 1;
    }
  }
  return count;
}

// `npm test`: starts one throwaway PostgreSQL cluster for the whole run, hands its URL to the test processes
// as SESSION_INSPECTOR_TEST_PG, runs `node --test <arguments>`, and always stops the cluster again.
// Usage: node test/run.mjs [node --test options and files]. Needs a build (dist/), as `pretest` makes.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const VARIABLE = 'SESSION_INSPECTOR_TEST_PG';
const { startCluster, PostgresNotInstalledError } = await import('../dist/test/support/postgresCluster.js').catch((err) => {
  console.error(`test/run: ${err.message}\ntest/run: build first (npm run build; npm test does it in pretest)`);
  process.exit(1);
});

// Ctrl-C reaches the test processes through the terminal; a SIGTERM sent to us alone is passed on.
// Either way we wait for them to end, then stop the cluster. A second signal stops waiting.
let cluster;
let child;
let signalled;
for (const name of ['SIGINT', 'SIGTERM']) {
  process.on(name, () => {
    if (!signalled) {
      signalled = name;
      if (name === 'SIGTERM') child?.kill('SIGTERM');
    } else {
      child?.kill('SIGKILL');
    }
  });
}

const env = { ...process.env };
if (env[VARIABLE]) {
  // A developer's own server: use it as given, start nothing.
  console.error(`test/run: PostgreSQL tests use ${VARIABLE} from the environment`);
} else {
  try {
    cluster = await startCluster();
    env[VARIABLE] = cluster.url;
    console.error(`test/run: throwaway PostgreSQL cluster on 127.0.0.1:${cluster.port} (${cluster.dataDir})`);
  } catch (err) {
    if (!(err instanceof PostgresNotInstalledError)) {
      // Installed but broken: fail loudly rather than silently skip half of the state tests.
      console.error(`test/run: ${err.message}`);
      await finish(1);
    }
    console.error("PostgreSQL server not installed: the PostgreSQL variants of the state tests are skipped; install Debian's postgresql");
  }
}

if (signalled) await finish(128 + constants.signals[signalled]);
child = spawn(process.execPath, ['--test', ...process.argv.slice(2)], { stdio: 'inherit', env });
const exitCode = await new Promise((resolve) => {
  child.on('error', (err) => {
    console.error(`test/run: cannot start node --test: ${err.message}`);
    resolve(1);
  });
  // A run ended by a signal exits 128 + its number, as a shell would report it.
  child.on('exit', (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
});

// A run stopped by a signal never reports success.
await finish(signalled && exitCode === 0 ? 128 + constants.signals[signalled] : exitCode);

async function finish(code) {
  if (cluster) {
    try {
      await cluster.stop();
    } catch (err) {
      console.error(`test/run: could not stop the test cluster: ${err.message}`);
    }
  }
  process.exit(code);
}

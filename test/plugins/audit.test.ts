// The audit plugin's project folder and its destructive-commands processor: each rule is checked on what it
// must flag and on the look-alikes it must not (echoed text, heredocs, commit messages, paths inside the
// project), then the processor over hand-written sessions (items carry their file line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importPluginModule, loadProcessor, runProcessor, writeSession } from './support.js';
import { assistantLine, at, NOISE, toolUse, userLine } from './lines.js';
import { CALL, PROJECT } from './auditSupport.js';

interface PathsModule {
  projectFolder(firstCwd: string, sessionKey: string): string;
}

test('project folder: the folder above the first cwd that the session folder is named after, else the first cwd', async () => {
  const { projectFolder } = await importPluginModule<PathsModule>('audit', 'paths.js');
  assert.equal(projectFolder(`${PROJECT}/src/lib`, '-home-alice-code-app/agent-1.jsonl'), PROJECT);
  assert.equal(projectFolder(`${PROJECT}/src`, '-home-alice-code-app/5c03/subagents/agent-2.jsonl'), PROJECT); // newer layout
  assert.equal(projectFolder(`${PROJECT}/src`, '-home-alice-code-app-src/s.jsonl'), `${PROJECT}/src`);
  assert.equal(projectFolder('/home/alice/my_app.v2/web', '-home-alice-my-app-v2/s.jsonl'), '/home/alice/my_app.v2'); // _ and . became -
  assert.equal(projectFolder('/home/alice/my_app.v2/web', '-home-alice-my_app-v2/s.jsonl'), '/home/alice/my_app.v2'); // older: only / and .
  assert.equal(projectFolder('C:\\Users\\Carol\\app\\src', 'C--Users-Carol-app/s.jsonl'), 'C:\\Users\\Carol\\app');
  assert.equal(projectFolder(`${PROJECT}/src`, 'alice/s.jsonl'), `${PROJECT}/src`); // not Claude Code's layout
  assert.equal(projectFolder(`${PROJECT}/src`, 's.jsonl'), `${PROJECT}/src`);
});

interface Finding {
  rule: string;
  detail: string | null;
  target: string | null;
  scope: string | null;
  source: string;
}
interface RulesModule {
  destructiveFindings(commandLine: string, cwd: string | null, project: string | null): Finding[];
}

/** [command line, expected findings as [rule, detail, target, scope]]; the shell's folder is the project. */
const DESTRUCTIVE: [string, [string, string | null, string | null, string | null][]][] = [
  // rm -r -f, outside the project only
  ['rm -rf /', [['rm_rf_outside', 'rm -rf', '/', 'root']]],
  ['rm -rf ~', [['rm_rf_outside', 'rm -rf', '/home/alice', 'home']]],
  ['rm -fr ~/.cache/pip', [['rm_rf_outside', 'rm -fr', '/home/alice/.cache/pip', 'outside']]],
  ['rm -r -f ../other-project', [['rm_rf_outside', 'rm -r -f', '/home/alice/code/other-project', 'outside']]],
  ['rm -rf ..', [['rm_rf_outside', 'rm -rf', '/home/alice/code', 'ancestor']]],
  ['rm -rf ../*', [['rm_rf_outside', 'rm -rf', '/home/alice/code/*', 'ancestor']]],
  [`rm -rf ${PROJECT}`, [['rm_rf_outside', 'rm -rf', PROJECT, 'ancestor']]],
  ['rm --recursive --force /tmp/build-1', [['rm_rf_outside', 'rm --recursive --force', '/tmp/build-1', 'temp']]],
  ['rm -rf /tmp/build-*', [['rm_rf_outside', 'rm -rf', '/tmp/*', 'temp']]],
  ['rm -rf ~/.claude/projects', [['rm_rf_outside', 'rm -rf', '/home/alice/.claude/projects', 'claude']]],
  ['sudo -u root rm -rf /etc/nginx', [['rm_rf_outside', 'rm -rf', '/etc/nginx', 'outside']]],
  ['cd /tmp && rm -rf build', [['rm_rf_outside', 'rm -rf', '/tmp/build', 'temp']]],
  ['(cd /tmp && rm -rf a); rm -rf b', [['rm_rf_outside', 'rm -rf', '/tmp/a', 'temp']]], // the subshell's cd ends with it
  ['DIR=/srv/data; rm -rf "$DIR"', [['rm_rf_outside', 'rm -rf', '/srv/data', 'outside']]],
  ['rm -rf "$HOME/$UNSET"', [['rm_rf_outside', 'rm -rf', '/home/alice/*', 'home']]], // empty $UNSET would take the home folder
  ['rm -rf /$UNSET', [['rm_rf_outside', 'rm -rf', '/*', 'root']]],
  ['bash -c "rm -rf /var/lib/thing"', [['rm_rf_outside', 'rm -rf', '/var/lib/thing', 'outside']]],
  ['echo $(rm -rf /var/x)', [['rm_rf_outside', 'rm -rf', '/var/x', 'outside']]],
  ['echo "rm -rf /etc/y" | sh', [['rm_rf_outside', 'rm -rf', '/etc/y', 'outside']]],
  ['cat <<EOF | bash\nrm -rf /etc/z\nEOF', [['rm_rf_outside', 'rm -rf', '/etc/z', 'outside']]],
  ['for d in a b; do rm -rf /opt/$d; done', [['rm_rf_outside', 'rm -rf', '/opt/*', 'outside']]],
  ['rm -rf \\\n  /srv/x', [['rm_rf_outside', 'rm -rf', '/srv/x', 'outside']]],
  ['function wipe { rm -rf /srv/a; }', [['rm_rf_outside', 'rm -rf', '/srv/a', 'outside']]],
  ['wipe() { rm -rf /srv/b; }', [['rm_rf_outside', 'rm -rf', '/srv/b', 'outside']]],
  ['case "$1" in clean) rm -rf /srv/c;; esac', [['rm_rf_outside', 'rm -rf', '/srv/c', 'outside']]],
  ['ls |\n  sudo rm -rf /srv/d', [['rm_rf_outside', 'rm -rf', '/srv/d', 'outside']]],
  // … and what is not: inside the project, not recursive and forced, not run, or not knowable
  ['rm -rf build dist ./node_modules', []],
  ['rm -rf *', []],
  ['cd src && rm -rf ../dist', []],
  ['rm -rf "$(pwd)/build"', []],
  ['rm /etc/hosts', []],
  ['rm -r /etc/x', []],
  ['rm -rf $BUILD_DIR/out', []], // starts with a variable we cannot know
  ['find / -name x | xargs rm -rf', []],
  ['echo "rm -rf /"', []],
  ["git commit -m 'never run rm -rf /'", []],
  ['cat > clean.sh <<EOF\nrm -rf /\nEOF', []],
  ['git commit -m "$(cat <<\'EOF\'\nFix: 1) rm -rf / is dangerous\nEOF\n)"', []],
  ['# rm -rf /\nls', []],
  ['command -v rm -rf /', []],

  // git
  ['git push --force', [['git_push_force', 'git push --force', null, null]]],
  ['git push -f origin main', [['git_push_force', 'git push -f', 'origin main', null]]],
  ['git -C ../lib push -fu origin main', [['git_push_force', 'git push -fu', 'origin main', null]]],
  ['git push origin +main', [['git_push_force', 'git push +main', 'origin +main', null]]],
  ['git push --force-with-lease origin feature', [['git_push_force_with_lease', 'git push --force-with-lease', 'origin feature', null]]],
  ['git push --force-with-lease=main:abc123 origin main', [['git_push_force_with_lease', 'git push --force-with-lease=main:abc123', 'origin main', null]]],
  ['git reset --hard', [['git_reset_hard', 'git reset --hard', 'HEAD', null]]],
  ['git fetch && git reset --hard origin/main', [['git_reset_hard', 'git reset --hard', 'origin/main', null]]],
  ['git clean -fdx', [['git_clean', 'git clean -fdx', null, null]]],
  ['git clean -f -d build/', [['git_clean', 'git clean -f -d', 'build/', null]]],
  ['git push origin main', []],
  ['git push -n --force', []],
  ['git reset --soft HEAD~1', []],
  ['git clean -n -fdx', []],
  ['git clean -dx', []], // without -f git refuses
  ['git commit -m "git push --force later"', []],
  ['git log --grep="reset --hard"', []],

  // SQL given to a database client
  ['psql -c "DROP TABLE users"', [['sql_drop', 'DROP TABLE', 'users', null]]],
  ['sqlite3 app.db "drop table if exists t; select 1"', [['sql_drop', 'DROP TABLE', 't', null]]],
  ['mysql -e "use shop; TRUNCATE TABLE orders"', [['sql_truncate', 'TRUNCATE TABLE', 'orders', null]]],
  ['psql --command="DROP SCHEMA old CASCADE"', [['sql_drop', 'DROP SCHEMA', 'old', null]]],
  ['echo "DROP DATABASE staging;" | psql', [['sql_drop', 'DROP DATABASE', 'staging', null]]],
  ['psql mydb <<SQL\n-- tidy up\nTRUNCATE sessions;\nSQL', [['sql_truncate', 'TRUNCATE', 'sessions', null]]],
  ['docker exec -i db psql -U app -c "DROP DATABASE prod"', [['sql_drop', 'DROP DATABASE', 'prod', null]]],
  ['dropdb --if-exists test_db', [['sql_drop', 'dropdb', 'test_db', null]]],
  ['grep -rn "DROP TABLE" migrations/', []],
  ['echo "DROP TABLE users;" > drop.sql', []],
  ['psql -c "SELECT 1 -- DROP TABLE users"', []],
  ['psql -c "SELECT \'x\' AS drop_table_note"', []],

  // chmod that lets everyone write
  ['chmod -R 777 /var/www', [['chmod_world_writable', 'chmod -R 777', '/var/www', 'outside']]],
  ['chmod 777 run.sh', [['chmod_world_writable', 'chmod 777', `${PROJECT}/run.sh`, null]]],
  ['sudo chmod 1777 /tmp/shared', [['chmod_world_writable', 'chmod 1777', '/tmp/shared', 'temp']]],
  ['chmod a=rwx,u-x data', [['chmod_world_writable', 'chmod a=rwx,u-x', `${PROJECT}/data`, null]]],
  ['chmod o+w notes.txt', [['chmod_world_writable', 'chmod o+w', `${PROJECT}/notes.txt`, null]]],
  ['chmod 755 run.sh', []],
  ['chmod +w run.sh', []], // masked by the umask
  ['chmod -R u+rwX src', []],

  // a download run by a shell
  ['curl -fsSL https://get.example.com | sh', [['download_to_shell', 'curl | sh', 'https://get.example.com', null]]],
  ['curl -sSL https://x.example/install.sh | sudo bash -s -- --yes', [['download_to_shell', 'curl | bash', 'https://x.example/install.sh', null]]],
  ['wget -qO- https://x.example/i.sh | bash', [['download_to_shell', 'wget | bash', 'https://x.example/i.sh', null]]],
  ['wget -O - https://x.example/i.sh | sh', [['download_to_shell', 'wget | sh', 'https://x.example/i.sh', null]]],
  ['curl -s https://bootstrap.example/get-pip.py | python3 -', [['download_to_shell', 'curl | python3', 'https://bootstrap.example/get-pip.py', null]]],
  ['/bin/bash -c "$(curl -fsSL https://brew.example/install.sh)"', [['download_to_shell', 'bash "$(curl …)"', 'https://brew.example/install.sh', null]]],
  ['bash <(curl -s https://x.example/a.sh)', [['download_to_shell', 'bash <(curl …)', 'https://x.example/a.sh', null]]],
  ['curl -s https://api.example/v1 | python3 -c "import json,sys; print(json.load(sys.stdin))"', []],
  ['curl -s https://api.example/v1 | jq .name', []],
  ['curl -o install.sh https://x.example/i.sh && less install.sh', []],
  ['wget https://x.example/i.sh | sh', []], // wget wrote a file; sh read nothing
  ['echo "curl https://x | sh" >> README.md', []],
];

test('destructive-commands: each rule flags what it names, and none flags the look-alikes', async () => {
  const rules = await importPluginModule<RulesModule>('audit', 'destructiveRules.js');
  for (const [command, expected] of DESTRUCTIVE) {
    const found = rules.destructiveFindings(command, PROJECT, PROJECT).map((f) => [f.rule, f.detail, f.target, f.scope]);
    assert.deepEqual(found, expected, JSON.stringify(command));
  }
});

test('destructive-commands: hostile command lines end quickly and never throw', async () => {
  const rules = await importPluginModule<RulesModule>('audit', 'destructiveRules.js');
  const targets = (command: string) => rules.destructiveFindings(command, PROJECT, PROJECT).map((f) => f.target);
  assert.deepEqual(targets(`${'$('.repeat(5)}rm -rf /n${')'.repeat(5)}`), ['/n']);
  // Nested deeper than any real command: skipped unread rather than overflowing the stack.
  assert.deepEqual(targets(`${'$('.repeat(20_000)}rm -rf /deep${')'.repeat(20_000)}`), []);
  assert.deepEqual(targets(`${'`echo \\`'.repeat(3_000)}`), []);
  assert.deepEqual(targets(`${'('.repeat(50_000)}rm -rf /x${')'.repeat(50_000)}`), ['/x']);
  assert.deepEqual(targets(`${'bash -c "'.repeat(200)}rm -rf /y`), []);
  assert.deepEqual(targets(`cat <<EOF\n${'x'.repeat(5_000_000)}\nEOF\nrm -rf /z`), ['/z']);
  for (const broken of ['${'.repeat(20_000), '<<A '.repeat(10_000), 'rm -rf "/unclosed', "echo 'open", 'rm -rf $(', '\\', '|||;;&&', ')))']) targets(broken);
});

test('destructive-commands: targets are judged from the shell folder of the record, against the first cwd', async () => {
  const rules = await importPluginModule<RulesModule>('audit', 'destructiveRules.js');
  const judge = (command: string, cwd: string | null, project: string | null) =>
    rules.destructiveFindings(command, cwd, project).map((f) => [f.target, f.scope]);
  // The agent cd'ed into src earlier: ../dist is still the project's.
  assert.deepEqual(judge('rm -rf ../dist', `${PROJECT}/src`, PROJECT), []);
  assert.deepEqual(judge('rm -rf ../../lib', `${PROJECT}/src`, PROJECT), [['/home/alice/code/lib', 'outside']]);
  // Without any cwd only the root and home folders are known to be outside.
  assert.deepEqual(judge('rm -rf / /opt/x build', null, null), [['/', 'root']]);
  // The home folder is read from the project's path; elsewhere ~ stays ~.
  assert.deepEqual(judge('rm -rf ~/x ~', '/srv/app', '/srv/app'), [
    ['~/x', 'outside'],
    ['~', 'home'],
  ]);
  assert.deepEqual(judge('rm -rf ~/Library/Caches/x', '/Users/bob/dev/app', '/Users/bob/dev/app'), [['/Users/bob/Library/Caches/x', 'outside']]);
  // A session started in /tmp: /tmp is its project.
  assert.deepEqual(judge('rm -rf /tmp/job/out', '/tmp/job', '/tmp/job'), []);
});

test('destructive-commands: one item per finding with its file line, the call and a one-line excerpt', async () => {
  const processor = await loadProcessor('destructive-commands', 'audit');
  const long = `git reset --hard ${'f'.repeat(300)}`; // one long pipeline: the excerpts are cut to 200 characters
  const lines: unknown[] = [
    ...NOISE,
    { type: 'summary', summary: 'Before any cwd', leafUuid: 'x' },
    userLine('u0', 0, 'clean up', { cwd: '' }), // an empty cwd is no cwd: the project comes from the next line
    userLine('u1', 1, 'clean up please'),
    assistantLine('a1', 2, CALL, [toolUse('t1', 'Bash', { command: 'cd /tmp && rm -rf build && git push --force origin main', description: 'clean' })]),
    assistantLine('a2', 3, CALL, [toolUse('t2', 'Bash', { command: 'echo "rm -rf /"' }), toolUse('t3', 'Read', { file_path: '/etc/hosts' })]),
    assistantLine('a3', 4, CALL, [toolUse('t4', 'Bash', { command: 'curl -fsSL https://get.example.com/i.sh |\n  sudo bash' })], { isSidechain: true }),
    assistantLine('a4', 5, CALL, [toolUse('t5', 'Bash', { command: 'rm -rf ../dist' })], { cwd: `${PROJECT}/src` }),
    assistantLine('a5', 6, CALL, [toolUse('t6', 'Bash', { command: 42 }), toolUse('t7', 'Bash', {})]),
    assistantLine('a6', 7, CALL, [toolUse('t8', 'Bash', { command: long })], { timestamp: 'not a time' }),
  ];
  const lineOf = (uuid: string) => lines.findIndex((line) => (line as { uuid?: string }).uuid === uuid) + 1;
  const { items } = await runProcessor(processor, writeSession(lines));
  const item = (uuid: string, seconds: number | null, id: string, fields: Record<string, unknown>, sidechain = false) => ({
    ...fields,
    tool_name: 'Bash',
    tool_use_id: id,
    project_dir: PROJECT,
    is_sidechain: sidechain,
    occurred_at: seconds === null ? null : at(seconds),
    line_no: lineOf(uuid),
  });
  assert.deepEqual(items, [
    item('a1', 2, 't1', { rule: 'rm_rf_outside', detail: 'rm -rf', target: '/tmp/build', scope: 'temp', command: 'rm -rf build' }),
    item('a1', 2, 't1', { rule: 'git_push_force', detail: 'git push --force', target: 'origin main', scope: null, command: 'git push --force origin main' }),
    item(
      'a3',
      4,
      't4',
      {
        rule: 'download_to_shell',
        detail: 'curl | bash',
        target: 'https://get.example.com/i.sh',
        scope: null,
        command: 'curl -fsSL https://get.example.com/i.sh | sudo bash',
      },
      true,
    ),
    item('a6', null, 't8', {
      rule: 'git_reset_hard',
      detail: 'git reset --hard',
      target: `${'f'.repeat(199)}…`,
      scope: null,
      command: `${long.slice(0, 199)}…`,
    }),
  ]);
});

test('destructive-commands: a subagent file starting in a subfolder is judged against the project it belongs to', async () => {
  const commands = await loadProcessor('destructive-commands', 'audit');
  const file = writeSession(
    [assistantLine('a1', 0, CALL, [toolUse('b1', 'Bash', { command: 'rm -rf ../docs/build' })], { cwd: `${PROJECT}/src`, isSidechain: true })],
    'agent-1.jsonl',
  );
  assert.deepEqual((await runProcessor(commands, file, '-home-alice-code-app/agent-1.jsonl')).items, []);
  // Outside Claude Code's layout the first cwd is all there is to go by.
  assert.deepEqual(
    (await runProcessor<any>(commands, file, 'copied/agent-1.jsonl')).items.map((i) => [i.target, i.scope, i.project_dir]),
    [[`${PROJECT}/docs/build`, 'outside', `${PROJECT}/src`]],
  );
});

test('destructive-commands: declares the destructive_commands view', async () => {
  assert.deepEqual((await loadProcessor('destructive-commands', 'audit')).view, {
    name: 'destructive_commands',
    columns: {
      rule: 'VARCHAR',
      detail: 'VARCHAR',
      target: 'VARCHAR',
      scope: 'VARCHAR',
      command: 'VARCHAR',
      tool_name: 'VARCHAR',
      tool_use_id: 'VARCHAR',
      project_dir: 'VARCHAR',
      is_sidechain: 'BOOLEAN',
      occurred_at: 'TIMESTAMP',
      line_no: 'BIGINT',
    },
  });
});

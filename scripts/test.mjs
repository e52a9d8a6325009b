// Runs the test suite inside a private network namespace when the machine allows it (root, unshare and ip
// present): the tests attach by PID, which opens inspectors on port 9229, and start servers on loopback.
// In their own namespace they can never meet a bystander's inspector, another test run, or anything else on
// the machine. Where no namespace can be made, the suite runs as it is and says so.
import { spawnSync } from 'node:child_process';

const vitestArgs = ['vitest', 'run', ...process.argv.slice(2)];

function canUnshare() {
  if (process.platform !== 'linux' || process.env.LEAK_EXPLORER_NETNS === '1') return false;
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' });
  return probe.status === 0;
}

let result;
if (canUnshare()) {
  const quoted = vitestArgs.map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
  result = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec npx ${quoted}`], {
    stdio: 'inherit',
    env: { ...process.env, LEAK_EXPLORER_NETNS: '1' },
  });
} else {
  if (process.env.LEAK_EXPLORER_NETNS !== '1') {
    process.stderr.write('note: no private network namespace here (needs root, unshare and ip); tests run in the host network.\n');
  }
  result = spawnSync('npx', vitestArgs, { stdio: 'inherit' });
}
process.exit(result.status ?? 1);

import { execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Resolves with the process's stdout once it matches `pattern`; rejects with what it printed when it
 * exits first or the time runs out, so a failed start says why.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} after ${timeoutMs} ms; stdout: ${out}; stderr tail: ${err.slice(-2000)}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}; stderr tail: ${err.slice(-2000)}`));
    });
  });
}

/**
 * A copy of the repository at `root` as its working tree stands (tracked and untracked files, ignored
 * ones left out), with its own dependencies installed from the local pnpm store and every file
 * committed, so a test can change it and read `git status` without touching the real one.
 */
export function copyRepository(root: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'sb-repo-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    const from = join(root, file);
    if (!existsSync(from)) continue; // deleted in the working tree, not yet in the index
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(from, join(copy, file));
  }
  try {
    execFileSync('pnpm', ['install', '--offline', '--frozen-lockfile'], { cwd: copy, stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`pnpm install in the copy failed (is pnpm-lock.yaml up to date? run pnpm install):\n${`${e.stdout ?? ''}${e.stderr ?? ''}`.slice(-2000)}`);
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=test@switchboard.example', '-c', 'user.name=test', ...args], { cwd: copy, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'copy');
  return copy;
}

/** A one-line progress bar on stderr (only on a terminal, so piped output stays clean). */
export function progress(label: string, total: number): { tick(n?: number): void; done(): void } {
  let current = 0;
  const tty = process.stderr.isTTY === true;
  const draw = () => {
    if (!tty) return;
    const width = 30;
    const ratio = total > 0 ? Math.min(1, current / total) : 1;
    const filled = Math.round(ratio * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${current}/${total}`);
  };
  return {
    tick(n = 1) {
      current += n;
      draw();
    },
    done() {
      if (tty) process.stderr.write('\n');
      else process.stderr.write(`${label}: ${current}/${total}\n`);
    },
  };
}

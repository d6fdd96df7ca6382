/**
 * A one-line progress bar, redrawn in place on a terminal; elsewhere one summary line through `report`
 * (the CLI's stderr, or whatever an embedding caller such as the console passes).
 */
export function progress(label: string, total: number, report: (line: string) => void): { tick(n?: number): void; done(): void } {
  let current = 0;
  const tty = process.stderr.isTTY === true && report === defaultReport;
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
      else report(`${label}: ${current}/${total}`);
    },
  };
}

/** The CLI's own stderr: only then may the bar redraw in place on a terminal. */
export const defaultReport = (line: string): void => console.error(line);

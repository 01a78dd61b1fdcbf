export type Row = [label: string, value: string];

export interface Section {
  title: string;
  rows: Row[];
}

export interface Report {
  /** Names the benchmark in the JSON line: `{"benchmark": name, ...figures}`. */
  benchmark: string;
  title: string;
  sections: Section[];
  notes?: string[];
  figures: Record<string, number | string | boolean>;
}

/** The figures of every report printed in this process, by benchmark, for the run's summary line. */
export const printedFigures = new Map<string, Report['figures']>();

/**
 * Prints a benchmark's readable tables, then exactly one line of JSON with its figures:
 * the last line a benchmark writes, for scripts to pick up (`tail -n1`, or every line
 * starting with `{"benchmark":`).
 */
export function printReport(report: Report, write: (text: string) => void = (t) => process.stdout.write(t)): void {
  const width = Math.max(...report.sections.flatMap((s) => s.rows.map(([label]) => label.length)), 10);
  const lines: string[] = ['', `== ${report.title} ==`];
  for (const section of report.sections) {
    lines.push('', section.title);
    for (const [label, value] of section.rows) lines.push(`  ${label.padEnd(width)}  ${value}`);
  }
  if (report.notes?.length) {
    lines.push('');
    for (const note of report.notes) lines.push(`* ${note}`);
  }
  lines.push('');
  write(lines.join('\n') + '\n');
  write(JSON.stringify({ benchmark: report.benchmark, ...report.figures }) + '\n');
  printedFigures.set(report.benchmark, report.figures);
}

/** A progress line on stderr, so that stdout holds only the report. */
export function progress(benchmark: string, message: string): void {
  process.stderr.write(`[${benchmark}] ${message}\n`);
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  return `${Math.round(perSecond).toLocaleString('en-US')} /s`;
}

export function formatMs(ms: number): string {
  return Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'n/a';
}

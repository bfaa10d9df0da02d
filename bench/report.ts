import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const resultsFile = path.resolve(__dirname, 'results', 'latest.jsonl')

/** One benchmark line: printed, and appended to bench/results/latest.jsonl with the machine noted. */
export function record(name: string, fields: Record<string, unknown>): void {
  const line = {
    name,
    ...fields,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    at: new Date().toISOString()
  }
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true })
  fs.appendFileSync(resultsFile, `${JSON.stringify(line)}\n`)
  console.log(`BENCH ${JSON.stringify(line)}`)
}

/** Peak resident memory (VmHWM) of a process, in MiB, from /proc (Linux). */
export function peakRssMiB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = /VmHWM:\s+(\d+) kB/.exec(status)
    return m ? Math.round(Number(m[1]) / 1024) : null
  } catch {
    return null
  }
}

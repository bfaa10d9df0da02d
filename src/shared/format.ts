/** Counts in words, shared by the UI and the messages main writes (undo descriptions). */
const int = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 })

export function count(n: number): string {
  return int.format(n)
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${count(n)} ${n === 1 ? one : many}`
}

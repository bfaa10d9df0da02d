// The shape of src/main, checked by `npm run lint` over the import graph (a small check instead of eslint's
// import/no-cycle, which is slow on a tree this size):
//   1. no import cycle between the folders of src/main (type imports count: a cycle of types is still a knot);
//   2. nothing the main-process entries (src/main/index.ts, src/main/web.ts) or the CLI reach at run time imports
//      tfjs, sharp, face-api or usearch: those load only in the ML worker (src/main/worker/main.ts), so the main
//      process starts fast and stays responsive. Dynamic import() and require() count; type imports do not.
//
//   node scripts/check-imports.mjs           check; exit 1 with one line per problem
//   node scripts/check-imports.mjs --graph   also print the folder graph (folder -> the folders it imports)
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const mainDir = path.join(root, 'src', 'main')
const ENTRIES = ['src/main/index.ts', 'src/main/web.ts', 'src/cli/index.ts']
const WORKER_ONLY = [/^@tensorflow\//, /^sharp$/, /^@vladmandic\/face-api(\/|$)/, /^usearch$/]

const isTest = (f) => /\.(test|spec|bench)\.tsx?$/.test(f)

function listTs(dir) {
  const out = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...listTs(p))
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1')
}

/** Every module a file names: { spec, typeOnly }. */
function importsOf(file) {
  const src = stripComments(fs.readFileSync(file, 'utf8'))
  const out = []
  for (const m of src.matchAll(
    /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([\w\s{},*$]*?)\s*from\s*['"]([^'"]+)['"]/g
  )) {
    const braces = /\{([^}]*)\}/.exec(m[3])
    const named = braces
      ? braces[1]
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : []
    const bare = m[3]
      .replace(/\{[^}]*\}/, '')
      .replace(/,/g, '')
      .trim()
    const allTypes = braces !== null && bare === '' && named.length > 0 && named.every((n) => n.startsWith('type '))
    out.push({ spec: m[4], typeOnly: Boolean(m[2]) || allTypes })
  }
  for (const m of src.matchAll(/(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]/g)) out.push({ spec: m[1], typeOnly: false })
  for (const m of src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1], typeOnly: false })
  for (const m of src.matchAll(/\b(?:require|nodeRequire)\(\s*['"]([^'"]+)['"]\s*\)/g))
    out.push({ spec: m[1], typeOnly: false })
  return out
}

function resolveLocal(from, spec) {
  if (!spec.startsWith('.')) return null
  const base = path.resolve(path.dirname(from), spec)
  for (const c of [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return c
  }
  return null
}

const rel = (f) => path.relative(root, f)
const folderOf = (f) => {
  const parts = path.relative(mainDir, f).split(path.sep)
  return parts.length > 1 ? parts[0] : `(${parts[0]})`
}

const problems = []

// 1. Cycles between folders of src/main.
const edges = new Map()
for (const f of listTs(mainDir).filter((f) => !isTest(f))) {
  for (const { spec } of importsOf(f)) {
    const target = resolveLocal(f, spec)
    if (!target || !target.startsWith(mainDir + path.sep)) continue
    const a = folderOf(f)
    const b = folderOf(target)
    if (a === b) continue
    if (!edges.has(a)) edges.set(a, new Map())
    if (!edges.get(a).has(b)) edges.get(a).set(b, `${rel(f)} -> ${spec}`)
  }
}
const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])
let index = 0
const stack = []
const onStack = new Set()
const ix = new Map()
const low = new Map()
function connect(v) {
  ix.set(v, index)
  low.set(v, index++)
  stack.push(v)
  onStack.add(v)
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!ix.has(w)) {
      connect(w)
      low.set(v, Math.min(low.get(v), low.get(w)))
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), ix.get(w)))
  }
  if (low.get(v) !== ix.get(v)) return
  const scc = []
  let w
  do {
    w = stack.pop()
    onStack.delete(w)
    scc.push(w)
  } while (w !== v)
  if (scc.length < 2) return
  const inside = new Set(scc)
  const examples = scc.flatMap((a) =>
    [...(edges.get(a) ?? [])].filter(([b]) => inside.has(b)).map(([b, why]) => `    ${a} -> ${b}: ${why}`)
  )
  problems.push(`import cycle between folders of src/main: ${scc.sort().join(' <-> ')}\n${examples.join('\n')}`)
}
for (const v of nodes) if (!ix.has(v)) connect(v)

// 2. Worker-only libraries reached from the main-process entries.
const via = new Map()
const queue = []
for (const e of ENTRIES) {
  const f = path.join(root, e)
  via.set(f, null)
  queue.push(f)
}
while (queue.length > 0) {
  const f = queue.shift()
  for (const { spec, typeOnly } of importsOf(f)) {
    if (typeOnly) continue
    if (WORKER_ONLY.some((re) => re.test(spec))) {
      const chain = [rel(f)]
      for (let p = via.get(f); p; p = via.get(p)) chain.unshift(rel(p))
      problems.push(`${spec} is imported by ${rel(f)}, which the main process loads: ${chain.join(' -> ')}`)
      continue
    }
    const target = resolveLocal(f, spec)
    if (!target || via.has(target)) continue
    via.set(target, f)
    queue.push(target)
  }
}

if (process.argv.includes('--graph')) {
  for (const a of [...edges.keys()].sort()) console.log(`${a} -> ${[...edges.get(a).keys()].sort().join(', ')}`)
}
for (const p of problems) console.error(p)
if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} problem(s) in the import graph of src/main`)
  process.exit(1)
}

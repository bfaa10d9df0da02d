// Copies face-api's weight files into resources/models/ and checks them against the committed
// resources/models/manifest.json. Runs as npm postinstall, so every problem except tampered or
// mismatched weights is a warning: a failed copy must not block installing the rest of the app,
// but weights that differ from the reviewed checksums must never be used silently.
//
//   node scripts/copy-models.mjs                   verify the package's files against manifest.json, then copy
//   node scripts/copy-models.mjs --write-manifest  copy + (re)write manifest.json from the package's files
// A missing manifest.json is written from the package (first checkout of a deliberate upgrade).

import { createHash } from 'node:crypto'
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE = '@vladmandic/face-api'
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const targetDir = join(repoRoot, 'resources', 'models')
const manifestPath = join(targetDir, 'manifest.json')
const writeManifest = process.argv.includes('--write-manifest')

const FACE_API_LICENCE = 'MIT (@vladmandic/face-api, weights from justadudewhohacks/face-api.js)'
// The age/gender net's training data (UTK, ...) came with research-only terms; the MIT licence of the
// code does not lift them, so the manifest carries the note to wherever the weights go.
const AGE_GENDER_LICENCE = `${FACE_API_LICENCE}; trained on data with research-only (non-commercial) terms`

function modelName(file) {
  return file.replace(/-weights_manifest\.json$/, '').replace(/\.bin$/, '')
}

function licenceFor(file) {
  return file.startsWith('age_gender_model') ? AGE_GENDER_LICENCE : FACE_API_LICENCE
}

function locatePackage() {
  const require = createRequire(join(repoRoot, 'package.json'))
  const pkgJson = require.resolve(`${PACKAGE}/package.json`)
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8'))
  return { modelDir: join(dirname(pkgJson), 'model'), version: pkg.version }
}

async function main() {
  let source
  try {
    source = locatePackage()
  } catch (err) {
    console.warn(`models: ${PACKAGE} is not installed (${err.message}); skipping weight copy`)
    return 0
  }

  const files = (await readdir(source.modelDir))
    .filter((f) => f.endsWith('.bin') || f.endsWith('-weights_manifest.json'))
    .sort()
  if (files.length === 0) {
    console.warn(`models: no weight files found in ${source.modelDir}; skipping`)
    return 0
  }

  // Hash the package's files before copying, so weights that fail the check never reach resources/models.
  const entries = []
  for (const file of files) {
    const bytes = await readFile(join(source.modelDir, file))
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    entries.push({ name: modelName(file), file, bytes: bytes.length, sha256, licence: licenceFor(file) })
  }

  const regenerate = writeManifest || !existsSync(manifestPath)
  if (!regenerate) {
    const problems = compare(JSON.parse(await readFile(manifestPath, 'utf8')), entries, source.version)
    if (problems.length > 0) {
      console.error('models: weight files in the installed package do not match resources/models/manifest.json:')
      for (const p of problems) console.error(`  - ${p}`)
      console.error(
        'Nothing was copied. If this upgrade is intended, review it and run: npm run models -- --write-manifest'
      )
      return 1
    }
  }

  await mkdir(targetDir, { recursive: true })
  for (const file of files) await copyFile(join(source.modelDir, file), join(targetDir, file))

  if (regenerate) {
    const manifest = { source: { package: PACKAGE, version: source.version }, models: entries }
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
    console.log(`models: wrote ${manifestPath} (${entries.length} files from ${PACKAGE}@${source.version})`)
  } else {
    console.log(`models: ${entries.length} weight files verified and copied (${PACKAGE}@${source.version})`)
  }
  return 0
}

function compare(expected, entries, version) {
  const problems = []
  if (expected.source?.version !== version) {
    problems.push(`manifest is for ${PACKAGE}@${expected.source?.version}, installed is ${version}`)
  }
  for (const want of expected.models ?? []) {
    const got = entries.find((e) => e.file === want.file)
    if (!got) problems.push(`${want.file}: missing from ${PACKAGE}/model`)
    else if (got.sha256 !== want.sha256 || got.bytes !== want.bytes) {
      problems.push(
        `${want.file}: sha256 ${got.sha256} (${got.bytes} B), manifest expects ${want.sha256} (${want.bytes} B)`
      )
    }
  }
  return problems
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    console.warn(`models: could not copy weights: ${err instanceof Error ? err.message : err}`)
  }
)

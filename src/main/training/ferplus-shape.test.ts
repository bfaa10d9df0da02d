/**
 * Real label structure, synthetic features: the FER+ labels (class imbalance, a "contempt" class that
 * face-api's expression head lacks, ids) drive the split, warm start and training; features are
 * stand-in 256-d blobs because stored features are not available to unit tests. The end-to-end test
 * on real features belongs to the ml pipeline.
 */
import { existsSync, readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DenseWeights } from './head'
import { predictBatch } from './predict'
import { mulberry32, normal } from '../analysis/random'
import { sampleEvaluationSet, stratifiedSplit } from './split'
import { trainHead } from './train'
import { useBackend } from './testing'

const CSV = new URL('../../../../shared/data/expression_ferplus/labels.csv', import.meta.url)
/** face-api's expression outputs, in its order, as FER+ names them. */
const BUILTIN = ['neutral', 'happiness', 'sadness', 'anger', 'fear', 'disgust', 'surprise']

function ferRows(): { id: string; label: string }[] {
  const [header, ...lines] = readFileSync(CSV, 'utf8').trim().split('\n')
  const cols = header!.split(',')
  const pathCol = cols.indexOf('path')
  const labelCol = cols.indexOf('label_majority')
  return lines.map((l) => l.split(',')).flatMap((c) => (c[labelCol] ? [{ id: c[pathCol]!, label: c[labelCol]! }] : []))
}

describe.skipIf(!existsSync(CSV))('FER+ label structure', () => {
  beforeAll(() => useBackend('wasm'))
  const rows = existsSync(CSV) ? ferRows() : []

  it('splits the real labels stratified, keeping rare classes in training', () => {
    const { train, validation } = stratifiedSplit(rows, 0.2, 1)
    const share = (xs: typeof rows, l: string): number => xs.filter((r) => r.label === l).length / xs.length
    for (const label of ['neutral', 'happiness', 'surprise', 'sadness', 'anger']) {
      expect(Math.abs(share(validation, label) - share(rows, label))).toBeLessThan(0.01)
    }
    expect(train.filter((r) => r.label === 'contempt').length).toBeGreaterThanOrEqual(2)
    const evalSet = sampleEvaluationSet(rows, 0.25, 1)
    expect(new Set(evalSet.map((r) => r.label))).toEqual(new Set(rows.map((r) => r.label)))
  })

  it('fine-tunes a 7-way built-in-style head into 8 classes with contempt, improving on it', async () => {
    const dim = 256
    const labels = [...BUILTIN, 'contempt']
    const rng = mulberry32(3)
    const means = new Map(labels.map((l) => [l, Float32Array.from({ length: dim }, () => normal(rng) * 0.12)]))
    const features = rows.map((r) => Float32Array.from(means.get(r.label)!, (m) => m + normal(rng)))
    // A "built-in" head that knows the 7 classes only roughly (shifted templates, as if trained on
    // another population), and not contempt at all.
    const kernel = new Float32Array(dim * 7)
    BUILTIN.forEach((l, c) => means.get(l)!.forEach((m, d) => (kernel[d * 7 + c] = m + normal(rng) * 0.12)))
    const init: DenseWeights = { kernel, kernelShape: [dim, 7], bias: new Float32Array(7), labels: BUILTIN }
    const before = await predictBatch(init, features, 'classification', BUILTIN)
    const accBefore = before.filter((p, i) => p.label === rows[i]!.label).length / rows.length

    const result = await trainHead({
      features,
      labels: rows.map((r) => r.label),
      ids: rows.map((r) => r.id),
      labelSet: labels,
      kind: 'classification',
      init,
      seed: 1,
      epochs: 30,
      learningRate: 1e-2,
      classWeights: 'none'
    })
    const after = await predictBatch(
      result.model,
      result.valIdx.map((i) => features[i]!),
      'classification',
      labels
    )
    const valAcc = after.filter((p, k) => p.label === rows[result.valIdx[k]!]!.label).length / after.length
    expect(result.counts['contempt']).toBe(2)
    expect(valAcc).toBeGreaterThan(accBefore + 0.05)
    result.model.dispose()
  })
})

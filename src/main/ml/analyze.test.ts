import { beforeAll, describe, expect, it } from 'vitest'
import {
  analyzeImage,
  analyzeImageTimed,
  analyzeLocated,
  attributesFromLandmarks,
  locateThenAnalyze,
  type AnalyzedFace,
  type RgbImage,
  type StageTimings
} from './analyze'
import { describeBackend } from './backend'
import { decodeImage } from './decode'
import { EXPRESSION_LABELS, ageHeadV0, builtinHeadWeights, expressionHeadV0, genderHeadV0 } from './heads'
import { dataPath, hasData, readCsv, setupMl } from './test-support'
import { faceapi, tf, toFaceApi } from './tfjs'

const PARITY_PHOTOS = [
  ...readCsvSafe('expression_faceapi_examples').map((r) => dataPath('expression_faceapi_examples', r.path!)),
  ...['img1.jpg', 'img3.jpg', 'img10.jpg', 'img22.jpg'].map((f) => dataPath('identity_deepface', 'images', f))
]
const GROUP_PHOTOS = ['group-3.jpg', 'stock-group-1.jpg', 'stock-group-2.jpg'].map((f) =>
  dataPath('group_photos', 'images', f)
)

function readCsvSafe(set: string): Array<Record<string, string>> {
  return hasData ? readCsv(dataPath(set, 'labels.csv')) : []
}

/** face-api's own composed pipeline, the reference the feature/head split must reproduce. */
async function faceApiReference(img: RgbImage) {
  const tensor = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32')
  try {
    return await faceapi
      .detectAllFaces(toFaceApi(tensor), new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }))
      .withFaceLandmarks()
      .withFaceExpressions()
      .withAgeAndGender()
      .withFaceDescriptors()
  } finally {
    tensor.dispose()
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

function sum(timings: StageTimings[], key: keyof StageTimings): number {
  return timings.reduce((s, t) => s + t[key], 0)
}

describe.skipIf(!hasData)('analyzeImage on real photos', () => {
  const timings: StageTimings[] = []

  beforeAll(async () => {
    await setupMl()
  })

  it('head v0 over stored features reproduces face-api withFaceExpressions().withAgeAndGender()', async () => {
    let worst = { expression: 0, gender: 0, age: 0, descriptor: 0 }
    for (const path of PARITY_PHOTOS) {
      const img = await decodeImage(path)
      const reference = await faceApiReference(img)
      const { faces, timings: t } = await analyzeImageTimed(img, { detector: 'ssd' })
      timings.push(t)
      expect(faces.length, path).toBe(reference.length)
      expect(faces.length, path).toBeGreaterThan(0)
      reference.forEach((ref, i) => {
        const face = faces[i]!
        expect(Math.abs(face.box.x - ref.detection.box.x), path).toBeLessThan(1e-6)
        // Recompute from the stored features, as the app does later, rather than trusting face.predictions.
        const probs = expressionHeadV0(face.expressionFeatures)
        const refProbs = EXPRESSION_LABELS.map((l) => ref.expressions[l])
        const gender = genderHeadV0(face.ageGenderFeatures)
        const refMale = ref.gender === 'male' ? ref.genderProbability : 1 - ref.genderProbability
        worst = {
          expression: Math.max(worst.expression, maxAbsDiff(probs, refProbs)),
          gender: Math.max(worst.gender, Math.abs(gender.male - refMale)),
          age: Math.max(worst.age, Math.abs(ageHeadV0(face.ageGenderFeatures) - ref.age)),
          descriptor: Math.max(worst.descriptor, maxAbsDiff(face.descriptor, ref.descriptor))
        }
        expect(face.predictions.gender.label).toBe(ref.gender)
      })
    }
    console.log(`parity vs face-api over ${PARITY_PHOTOS.length} photos, max abs diff:`, worst)
    expect(worst.expression).toBeLessThanOrEqual(1e-4)
    expect(worst.gender).toBeLessThanOrEqual(1e-4)
    expect(worst.age).toBeLessThanOrEqual(1e-3)
    expect(worst.descriptor).toBeLessThanOrEqual(1e-5)
  })

  it('stores a mirrored view that differs from the original but mostly predicts the same', async () => {
    let faces = 0
    let sameExpression = 0
    let sameGender = 0
    let ageGap = 0
    for (const path of PARITY_PHOTOS) {
      for (const face of await analyzeImage(await decodeImage(path), { detector: 'ssd' })) {
        faces++
        expect(face.expressionMirrorFeatures).toHaveLength(256)
        expect(face.ageGenderMirrorFeatures).toHaveLength(512)
        // A face is never exactly symmetrical, so the mirror is a second, different view of it.
        expect(maxAbsDiff(face.expressionFeatures, face.expressionMirrorFeatures)).toBeGreaterThan(1e-3)
        expect(maxAbsDiff(face.ageGenderFeatures, face.ageGenderMirrorFeatures)).toBeGreaterThan(1e-3)
        const top = (p: number[]): number => p.indexOf(Math.max(...p))
        if (top(expressionHeadV0(face.expressionFeatures)) === top(expressionHeadV0(face.expressionMirrorFeatures)))
          sameExpression++
        const g = genderHeadV0(face.ageGenderFeatures)
        const gm = genderHeadV0(face.ageGenderMirrorFeatures)
        if (g.male > g.female === gm.male > gm.female) sameGender++
        ageGap += Math.abs(ageHeadV0(face.ageGenderFeatures) - ageHeadV0(face.ageGenderMirrorFeatures))
      }
    }
    console.log(
      `mirror vs original over ${faces} faces: expression agrees ${sameExpression}, gender ${sameGender}, mean |Δage| ${(ageGap / faces).toFixed(2)}`
    )
    expect(faces).toBeGreaterThan(10)
    expect(sameExpression / faces).toBeGreaterThanOrEqual(0.75)
    expect(sameGender / faces).toBeGreaterThanOrEqual(0.85)
    expect(ageGap / faces).toBeLessThan(5)
  })

  it('recomputes the views from stored landmarks as the import computed them', async () => {
    const crops = readCsv(dataPath('expression_ferplus', 'labels.csv'))
      .slice(0, 4)
      .map((r) => ({ path: dataPath('expression_ferplus', r.path!), crops: true }))
    const photos = PARITY_PHOTOS.slice(0, 6).map((path) => ({ path, crops: false }))
    let faces = 0
    let same = 0
    for (const { path, crops: isCrop } of [...crops, ...photos]) {
      const img = await decodeImage(path)
      const found = await analyzeImage(img, { detector: 'ssd', crops: isCrop })
      const again = await attributesFromLandmarks(
        img,
        found.map((f) => f.landmarks)
      )
      found.forEach((f, i) => {
        faces++
        const a = again[i]!
        const worst = Math.max(
          maxAbsDiff(a.expressionMirror, f.expressionMirrorFeatures),
          maxAbsDiff(a.ageGenderMirror, f.ageGenderMirrorFeatures)
        )
        if (worst < 1e-4) same++
      })
    }
    console.log(`views recomputed from landmarks: ${same} of ${faces} faces identical to the import's`)
    // Faces found on a padded copy are cropped differently at the border; every other one is the same crop.
    expect(same / faces).toBeGreaterThanOrEqual(0.9)
    expect(faces).toBeGreaterThanOrEqual(8)
  })

  it('predicts the labelled expression on face-api example photos', async () => {
    const rows = readCsv(dataPath('expression_faceapi_examples', 'labels.csv'))
    let correct = 0
    for (const row of rows) {
      const [face] = await analyzeImage(await decodeImage(dataPath('expression_faceapi_examples', row.path!)), {
        detector: 'tiny'
      })
      if (face?.predictions.expression.label === row.expression) correct++
    }
    expect(correct).toBeGreaterThanOrEqual(5)
  })

  it('finds at least 3 faces in group photos', async () => {
    for (const path of GROUP_PHOTOS) {
      const { faces, timings: t } = await analyzeImageTimed(await decodeImage(path), { detector: 'ssd' })
      timings.push(t)
      expect(faces.length, path).toBeGreaterThanOrEqual(3)
      for (const face of faces) {
        expect(face.landmarks).toHaveLength(136)
        expect(face.descriptor).toHaveLength(128)
        expect(face.expressionFeatures).toHaveLength(256)
        expect(face.ageGenderFeatures).toHaveLength(512)
        expect(face.source).toBe('detector')
      }
    }
  })

  it("analyses a photo's faces in one batch exactly as one face at a time", async () => {
    let worst = { descriptor: 0, expression: 0, ageGender: 0, landmarks: 0 }
    let compared = 0
    for (const path of GROUP_PHOTOS) {
      const img = await decodeImage(path)
      const { located, faces } = await locateThenAnalyze(img, { detector: 'ssd' }, () => false)
      expect(faces!.length, path).toBeGreaterThanOrEqual(3)
      for (const [i, face] of faces!.entries()) {
        const [alone] = await analyzeLocated(img, located, [i])
        expect(alone!.index).toBe(i)
        const a = alone!.face
        expect(a.box).toEqual(face.box)
        worst = {
          descriptor: Math.max(worst.descriptor, maxAbsDiff(a.descriptor, face.descriptor)),
          expression: Math.max(worst.expression, maxAbsDiff(a.expressionFeatures, face.expressionFeatures)),
          ageGender: Math.max(worst.ageGender, maxAbsDiff(a.ageGenderFeatures, face.ageGenderFeatures)),
          landmarks: Math.max(worst.landmarks, maxAbsDiff(a.landmarks, face.landmarks))
        }
        expect(a.predictions.gender.label).toBe(face.predictions.gender.label)
        expect(a.predictions.expression.label).toBe(face.predictions.expression.label)
        compared++
      }
    }
    console.log(`batched vs one at a time over ${compared} faces, max abs diff:`, worst)
    expect(worst.descriptor).toBeLessThanOrEqual(1e-5)
    expect(worst.expression).toBeLessThanOrEqual(1e-4)
    expect(worst.ageGender).toBeLessThanOrEqual(1e-4)
    expect(worst.landmarks).toBeLessThanOrEqual(1e-3)
  })

  it('crops mode returns exactly one face per 48x48 FER+ image', async () => {
    const rows = readCsv(dataPath('expression_ferplus', 'labels.csv')).slice(0, 6)
    const sources: AnalyzedFace['source'][] = []
    for (const row of rows) {
      const img = await decodeImage(dataPath('expression_ferplus', row.path!))
      expect(img.width).toBe(48)
      const faces = await analyzeImage(img, { detector: 'ssd', crops: true })
      expect(faces, row.path).toHaveLength(1)
      const face = faces[0]!
      sources.push(face.source)
      if (face.source === 'whole-image') expect(face.box).toEqual({ x: 0, y: 0, w: 48, h: 48 })
      expect(face.descriptor.some((v) => v !== 0)).toBe(true)
    }
    console.log('crops-mode face sources:', sources.join(', '))
  })

  it('leaks no tensors', async () => {
    const photo = await decodeImage(PARITY_PHOTOS[0]!)
    const crop = await decodeImage(
      dataPath('expression_ferplus', readCsv(dataPath('expression_ferplus', 'labels.csv'))[0]!.path!)
    )
    await analyzeImage(photo, { detector: 'ssd' })
    const before = tf.memory().numTensors
    expect((await analyzeImage(photo, { detector: 'ssd' })).length).toBeGreaterThan(0)
    await analyzeImage(photo, { detector: 'tiny' })
    await analyzeImage(crop, { detector: 'ssd', crops: true })
    builtinHeadWeights('gender')
    expect(tf.memory().numTensors).toBe(before)
  })

  it('reports per-stage timings', () => {
    const photos = timings.length
    const faces = sum(timings, 'faces')
    const perFace = (k: keyof StageTimings) => (sum(timings, k) / faces).toFixed(1)
    console.log(
      `[${describeBackend()}] ${photos} photos, ${faces} faces: detect ${(sum(timings, 'detectMs') / photos).toFixed(1)} ms/photo; ` +
        `per face: landmarks ${perFace('landmarksMs')} ms, descriptor ${perFace('descriptorMs')} ms, ` +
        `expression ${perFace('expressionMs')} ms, age/gender ${perFace('ageGenderMs')} ms`
    )
    expect(faces).toBeGreaterThan(0)
  })
})

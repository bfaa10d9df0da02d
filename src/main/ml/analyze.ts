// One photo in, one record per face out: box, landmarks, identity descriptor, attribute features and
// the built-in (v0) predictions computed from those features.
//
// The crops follow face-api's composed pipeline (detectAllFaces().withFaceLandmarks()
// .withFaceExpressions().withAgeAndGender().withFaceDescriptors()) step by step: landmarks on the
// detection box, expression and age/gender on the landmark-aligned box, the descriptor on the
// dlib-aligned box. Doing it by hand lets us keep the features the composed API throws away.
import type { FaceDetection, FaceLandmarks68 } from '@vladmandic/face-api'
import { ageGenderFeatures, expressionFeatures, identityDescriptors, toNetInput } from './features'
import {
  EXPRESSION_LABELS,
  ageHeadV0,
  expressionHeadV0,
  genderHeadV0,
  topLabel,
  type ExpressionLabel,
  type GenderLabel
} from './heads'
import { requireModels } from './models'
import { faceapi, fromFaceApi, tf, toFaceApi, type Tensor3D } from './tfjs'

export interface RgbImage {
  /** Packed RGB, row-major, width*height*3 bytes. */
  data: Uint8Array
  width: number
  height: number
}

export type DetectorKind = 'ssd' | 'tiny'

export interface AnalyzeOptions {
  detector: DetectorKind
  /** Detection score threshold; face-api's default 0.5 when omitted. */
  minConfidence?: number
  /**
   * The input is already a face crop (e.g. a 48×48 dataset image): return exactly one face — the best
   * detection, or the whole image when the detector finds none.
   */
  crops?: boolean
  /** Retry detection on a padded copy when nothing is found (default true). */
  padRetry?: boolean
}

export interface FaceBox {
  x: number
  y: number
  w: number
  h: number
}

export interface AnalyzedFace {
  box: FaceBox
  /** Detector score; 0 for a whole-image face in crops mode. */
  score: number
  source: 'detector' | 'whole-image'
  /** 68 (x, y) points in image pixels. */
  landmarks: Float32Array
  descriptor: Float32Array
  expressionFeatures: Float32Array
  ageGenderFeatures: Float32Array
  /** The same nets on the horizontally mirrored aligned face (issue 11 §2: test-time and training augmentation). */
  expressionMirrorFeatures: Float32Array
  ageGenderMirrorFeatures: Float32Array
  predictions: {
    expression: { label: ExpressionLabel; confidence: number; probs: Record<ExpressionLabel, number> }
    age: number
    gender: { label: GenderLabel; confidence: number }
  }
}

/** Wall-clock milliseconds: detection once per photo, the other stages summed over its faces. */
export interface StageTimings {
  detectMs: number
  landmarksMs: number
  descriptorMs: number
  expressionMs: number
  ageGenderMs: number
  faces: number
}

const DEFAULT_MIN_CONFIDENCE = 0.5

function checkInput(input: RgbImage): void {
  const { data, width, height } = input
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`analyzeImage: bad image size ${width}x${height}`)
  }
  if (data.length !== width * height * 3) {
    throw new Error(`analyzeImage: expected ${width * height * 3} RGB bytes for ${width}x${height}, got ${data.length}`)
  }
}

async function detect(image: Tensor3D, opts: AnalyzeOptions): Promise<FaceDetection[]> {
  const minConfidence = opts.minConfidence ?? DEFAULT_MIN_CONFIDENCE
  if (opts.detector === 'ssd') {
    return faceapi.nets.ssdMobilenetv1.locateFaces(
      toFaceApi(image),
      new faceapi.SsdMobilenetv1Options({ minConfidence })
    )
  }
  return faceapi.nets.tinyFaceDetector.locateFaces(
    toFaceApi(image),
    new faceapi.TinyFaceDetectorOptions({ scoreThreshold: minConfidence })
  )
}

function wholeImage(width: number, height: number): FaceDetection {
  return new faceapi.FaceDetection(0, new faceapi.Rect(0, 0, 1, 1), { width, height })
}

/** Crops `rect` out of the image (clipped to its borders, as face-api does); undefined if nothing is left. */
async function crop(
  image: Tensor3D,
  rect: Parameters<typeof faceapi.extractFaceTensors>[1][number]
): Promise<Tensor3D | undefined> {
  const [face] = await faceapi.extractFaceTensors(toFaceApi(image), [rect])
  return face ? fromFaceApi<Tensor3D>(face) : undefined
}

function flattenLandmarks(landmarks: FaceLandmarks68): Float32Array {
  const out = new Float32Array(136)
  landmarks.positions.forEach((p, i) => {
    out[2 * i] = p.x
    out[2 * i + 1] = p.y
  })
  return out
}

function predict(expressionFeat: Float32Array, ageGenderFeat: Float32Array): AnalyzedFace['predictions'] {
  const probs = expressionHeadV0(expressionFeat)
  const gender = genderHeadV0(ageGenderFeat)
  const genderTop =
    gender.male > gender.female
      ? { label: 'male' as const, confidence: gender.male }
      : { label: 'female' as const, confidence: gender.female }
  return {
    expression: {
      ...topLabel(EXPRESSION_LABELS, probs),
      probs: Object.fromEntries(EXPRESSION_LABELS.map((l, i) => [l, probs[i]!])) as Record<ExpressionLabel, number>
    },
    age: ageHeadV0(ageGenderFeat),
    gender: genderTop
  }
}

interface MirroredViews {
  expressionMirror: Float32Array
  ageGenderMirror: Float32Array
}

/** The mirrored view alone (what a face imported before mirrored views were stored lacks): half the work. */
async function mirroredViews(face: Tensor3D, t: StageTimings): Promise<MirroredViews> {
  const mirrored = tf.reverse(face, 1) as Tensor3D
  try {
    const input = await toNetInput(mirrored)
    let started = performance.now()
    const [expressionMirror] = expressionFeatures(input)
    t.expressionMs += performance.now() - started
    started = performance.now()
    const [ageGenderMirror] = ageGenderFeatures(input)
    t.ageGenderMs += performance.now() - started
    return { expressionMirror: expressionMirror!, ageGenderMirror: ageGenderMirror! }
  } finally {
    mirrored.dispose()
  }
}

/** face-api's landmark-aligned box (FaceLandmarks.align(): the points' bounding box padded by 20 %). */
function alignedRectOf(landmarks: Float32Array): InstanceType<typeof faceapi.Rect> {
  let x0 = Infinity
  let y0 = Infinity
  let x1 = 0
  let y1 = 0
  for (let i = 0; i + 1 < landmarks.length; i += 2) {
    x0 = Math.min(x0, landmarks[i]!)
    x1 = Math.max(x1, landmarks[i]!)
    y0 = Math.min(y0, landmarks[i + 1]!)
    y1 = Math.max(y1, landmarks[i + 1]!)
  }
  const w = x1 - x0
  const h = y1 - y0
  return new faceapi.Rect(x0 - (w * 0.2) / 2, y0 - (h * 0.2) / 2, w * 1.2, h * 1.2)
}

/**
 * The attribute features of faces already found, from their stored 68 landmarks (in the image's pixels) instead
 * of detecting them again: the "augment existing faces" job computes the mirrored views of faces imported before
 * they were stored. The crop is clipped at the photo's borders, so a face the import found on a padded copy of
 * the photo can come out slightly different from what that import would have stored.
 */
export async function attributesFromLandmarks(
  input: RgbImage,
  faces: readonly Float32Array[]
): Promise<Array<MirroredViews | undefined>> {
  requireModels()
  checkInput(input)
  const image = toTensor(input)
  const t = emptyTimings()
  try {
    const out: Array<MirroredViews | undefined> = []
    for (const landmarks of faces) {
      const [face] = landmarks.length === 136 ? await crops(image, [alignedRectOf(landmarks)]) : [undefined]
      const [views] = await onBatch([face], async ([f]) => [await mirroredViews(f!, t)])
      out.push(views)
    }
    return out
  } finally {
    image.dispose()
  }
}

/** Crops of `rects` (undefined where nothing is left); the caller disposes them. */
async function crops(image: Tensor3D, rects: Array<Parameters<typeof crop>[1]>): Promise<Array<Tensor3D | undefined>> {
  return Promise.all(rects.map((r) => crop(image, r)))
}

/** Runs `use` on the defined crops as one batch and puts the results back in place (undefined for no crop). */
async function onBatch<T>(
  faces: Array<Tensor3D | undefined>,
  use: (batch: Tensor3D[]) => Promise<T[]> | T[]
): Promise<Array<T | undefined>> {
  const batch = faces.filter((f): f is Tensor3D => f !== undefined)
  try {
    const results = batch.length > 0 ? await use(batch) : []
    let k = 0
    return faces.map((f) => (f ? results[k++] : undefined))
  } finally {
    for (const f of batch) f.dispose()
  }
}

/**
 * The faces of one photo, each net run once on all of them (a batch) instead of once per face: the nets pad
 * and resize every crop on its own, so each face's outputs are those of a batch of one (analyze.test.ts
 * checks it), and the per-call overhead of the wasm backend is paid once per photo (issue 13 §4).
 */
async function analyzeFaces(
  image: Tensor3D,
  detections: FaceDetection[],
  sources: Array<AnalyzedFace['source']>,
  t: StageTimings
): Promise<Array<AnalyzedFace | undefined>> {
  let started = performance.now()
  const landmarks = await onBatch(await crops(image, detections), async (batch) => {
    const input = await toNetInput(batch)
    return (await faceapi.nets.faceLandmark68Net.detectLandmarks(input)) as FaceLandmarks68[]
  })
  const located = detections.map((d, i) => {
    const l = landmarks[i]
    return l ? faceapi.extendWithFaceLandmarks(faceapi.extendWithFaceDetection({}, d), l) : undefined
  })
  t.landmarksMs += performance.now() - started

  const alignedCrops = await crops(
    image,
    located.flatMap((l) => (l ? [l.alignedRect] : []))
  )
  let k = 0
  const aligned = located.map((l) => (l ? alignedCrops[k++] : undefined))
  // Each face and its mirror image go through each net in the same batch (issue 11 §2): one pass per photo.
  const attributes = await onBatch(aligned, async (batch) => {
    const mirrors = batch.map((f) => tf.reverse(f, 1) as Tensor3D)
    try {
      const input = await toNetInput([...batch, ...mirrors])
      started = performance.now()
      const expression = expressionFeatures(input)
      t.expressionMs += performance.now() - started
      started = performance.now()
      const ageGender = ageGenderFeatures(input)
      t.ageGenderMs += performance.now() - started
      const n = batch.length
      return batch.map((_, i) => ({
        expression: expression[i]!,
        ageGender: ageGender[i]!,
        expressionMirror: expression[n + i]!,
        ageGenderMirror: ageGender[n + i]!
      }))
    } finally {
      for (const m of mirrors) m.dispose()
    }
  })

  started = performance.now()
  const kept = located.map((l, i) => (l && attributes[i] ? l : undefined))
  const dlibRects = kept.flatMap((l) => (l ? [l.landmarks.align(null, { useDlibAlignment: true })] : []))
  const dlibCrops = await crops(image, dlibRects)
  k = 0
  const descriptors = await onBatch(
    kept.map((l) => (l ? dlibCrops[k++] : undefined)),
    async (batch) => identityDescriptors(await toNetInput(batch))
  )
  t.descriptorMs += performance.now() - started

  return detections.map((detection, i) => {
    const l = kept[i]
    const a = attributes[i]
    if (!l || !a) return undefined
    const { box } = detection
    return {
      box: { x: box.x, y: box.y, w: box.width, h: box.height },
      score: detection.score,
      source: sources[i]!,
      landmarks: flattenLandmarks(l.landmarks),
      // face-api returns an all-zero descriptor when the dlib box falls outside the image; so do we.
      descriptor: descriptors[i] ?? new Float32Array(128),
      expressionFeatures: a.expression,
      ageGenderFeatures: a.ageGender,
      expressionMirrorFeatures: a.expressionMirror,
      ageGenderMirrorFeatures: a.ageGenderMirror,
      predictions: predict(a.expression, a.ageGender)
    }
  })
}

/**
 * Where the faces of a photo are, as plain data: what detection found, in a form that crosses a process
 * boundary, so the faces of one many-face photo can be analysed by several workers.
 */
export interface LocatedFaces {
  faces: Array<{
    score: number
    /** The detection box relative to the (possibly padded) image, as face-api keeps it. */
    relativeBox: { x: number; y: number; width: number; height: number }
    imageDims: { width: number; height: number }
    source: AnalyzedFace['source']
  }>
  /** > 0 when the faces were found on a copy padded by this many pixels (of the scaled copy) on each side. */
  padOffset: number
  /**
   * The padded copy is of the photo scaled by this (1: full size). A large photo is scaled down first so the
   * padded copy stays within PAD_MAX_SIDE: padding a 2560 px photo by half its side made a 5120² tensor and
   * cost about 0.8 GB of tensors in the worker, for a detector that looks at 512 px anyway.
   */
  scale: number
}

export function emptyTimings(): StageTimings {
  return { detectMs: 0, landmarksMs: 0, descriptorMs: 0, expressionMs: 0, ageGenderMs: 0, faces: 0 }
}

function toTensor(input: RgbImage): Tensor3D {
  return tf.tensor3d(input.data, [input.height, input.width, 3], 'int32')
}

/** The photo scaled by `scale` (a new tensor), or the photo itself at 1. */
function scaled(image: Tensor3D, scale: number): Tensor3D {
  if (scale === 1) return image
  const [h, w] = image.shape
  return tf.tidy(() =>
    tf.image
      .resizeBilinear(image, [Math.max(1, Math.round(h * scale)), Math.max(1, Math.round(w * scale))])
      .round()
      .toInt()
  )
}

/** How much a photo is scaled before padding, so that its padded copy stays within PAD_MAX_SIDE. */
function padScale(width: number, height: number): number {
  const side = Math.max(width, height)
  const paddedSide = side + 2 * Math.round(side * PAD_RETRY_FRACTION)
  return paddedSide > PAD_MAX_SIDE ? PAD_MAX_SIDE / paddedSide : 1
}

function padded(image: Tensor3D, pad: number): Tensor3D {
  return tf.pad(image, [
    [pad, pad],
    [pad, pad],
    [0, 0]
  ]) as Tensor3D
}

/** Detection: the first half of analyzeImage, as plain data (LocatedFaces). */
async function locateOn(
  image: Tensor3D,
  input: { width: number; height: number },
  opts: AnalyzeOptions,
  timings: StageTimings
): Promise<LocatedFaces> {
  let started = performance.now()
  // A crop this small holds one face and no detector finds it (SSD on 48×48 FER crops: none of six),
  // so in crops mode it goes straight to the whole-image face instead of paying two SSD passes.
  const tinyCrop = opts.crops === true && Math.max(input.width, input.height) < CROP_DETECT_MIN_SIDE
  // A larger crop is a face filling the frame, exactly what SSD misses unpadded (below), so crops mode
  // goes straight to the padded pass: one SSD run per image instead of two.
  const padFirst = opts.crops === true && !tinyCrop && opts.padRetry !== false
  let detections = tinyCrop || padFirst ? [] : await detect(image, opts)
  timings.detectMs = performance.now() - started
  let padOffset = 0
  let scale = 1

  // SSD misses faces that fill most of the frame (tight portraits, LFW-style crops: 14 of 35 found);
  // with a border of half the image on each side it finds them (35 of 35). Tried when nothing was found.
  if (detections.length === 0 && !tinyCrop && opts.padRetry !== false) {
    started = performance.now()
    const s = padScale(input.width, input.height)
    const small = scaled(image, s)
    const pad = Math.round(Math.max(small.shape[0], small.shape[1]) * PAD_RETRY_FRACTION)
    const copy = padded(small, pad)
    if (small !== image) small.dispose()
    try {
      const found = await detect(copy, opts)
      timings.detectMs += performance.now() - started
      if (found.length > 0) {
        padOffset = pad
        scale = s
        detections = found
      }
    } finally {
      copy.dispose()
    }
  }

  let sources: AnalyzedFace['source'][] = detections.map(() => 'detector')
  if (opts.crops) {
    // locateFaces returns detections best-first.
    detections = detections.length > 0 ? detections.slice(0, 1) : [wholeImage(input.width, input.height)]
    sources = [sources[0] ?? 'whole-image']
  }
  return {
    padOffset,
    scale,
    faces: detections.map((d, i) => {
      const r = d.relativeBox
      return {
        score: d.score,
        relativeBox: { x: r.x, y: r.y, width: r.width, height: r.height },
        imageDims: { width: d.imageDims.width, height: d.imageDims.height },
        source: sources[i]!
      }
    })
  }
}

/**
 * The second half of analyzeImage: landmarks, features and predictions for the located faces at
 * `indices` (all by default). A face whose crop falls outside the image is left out, as before.
 */
export async function analyzeLocated(
  input: RgbImage,
  located: LocatedFaces,
  indices: number[] = located.faces.map((_, i) => i),
  timings: StageTimings = emptyTimings()
): Promise<Array<{ index: number; face: AnalyzedFace }>> {
  requireModels()
  checkInput(input)
  const image = toTensor(input)
  try {
    return await analyzeOn(image, input, located, indices, timings)
  } finally {
    image.dispose()
  }
}

async function analyzeOn(
  original: Tensor3D,
  input: { width: number; height: number },
  located: LocatedFaces,
  indices: number[],
  timings: StageTimings
): Promise<Array<{ index: number; face: AnalyzedFace }>> {
  const offset = located.padOffset
  // The faces are analysed on the copy they were found on: the photo scaled by located.scale, then padded.
  const scale = offset > 0 ? located.scale : 1
  const base = scaled(original, scale)
  const image = offset > 0 ? padded(base, offset) : base
  if (base !== original && base !== image) base.dispose()
  const back = (face: AnalyzedFace): AnalyzedFace => {
    const unpadded = offset > 0 ? unpad(face, offset, base.shape[1], base.shape[0]) : face
    return scale === 1 ? unpadded : unscale(unpadded, scale, input.width, input.height)
  }
  try {
    const wanted = indices.map((index) => {
      const f = located.faces[index]
      if (!f) throw new Error(`analyzeLocated: no face ${index}`)
      return f
    })
    const detections = wanted.map((f) => {
      const r = f.relativeBox
      return new faceapi.FaceDetection(f.score, new faceapi.Rect(r.x, r.y, r.width, r.height), f.imageDims)
    })
    const faces = await analyzeFaces(
      image,
      detections,
      wanted.map((f) => f.source),
      timings
    )
    const out = faces.flatMap((face, i) => (face ? [{ index: indices[i]!, face: back(face) }] : []))
    timings.faces += out.length
    return out
  } finally {
    if (image !== original) image.dispose()
  }
}

/** analyzeImage plus per-stage timings (for benchmarks and the CLI). */
export async function analyzeImageTimed(
  input: RgbImage,
  opts: AnalyzeOptions
): Promise<{ faces: AnalyzedFace[]; timings: StageTimings }> {
  const timings = emptyTimings()
  const r = await locateThenAnalyze(input, opts, () => false, timings)
  return { faces: r.faces ?? [], timings }
}

/**
 * Detection, then — unless `split(number of faces)` says the faces go elsewhere — their analysis, on one
 * tensor of the photo. faces is null when split.
 */
export async function locateThenAnalyze(
  input: RgbImage,
  opts: AnalyzeOptions,
  split: (faces: number) => boolean,
  timings: StageTimings = emptyTimings()
): Promise<{ located: LocatedFaces; faces: AnalyzedFace[] | null }> {
  requireModels()
  checkInput(input)
  const image = toTensor(input)
  try {
    const located = await locateOn(image, input, opts, timings)
    if (split(located.faces.length)) return { located, faces: null }
    const all = located.faces.map((_, i) => i)
    const faces = (await analyzeOn(image, input, located, all, timings)).map((r) => r.face)
    return { located, faces }
  } finally {
    image.dispose()
  }
}

const PAD_RETRY_FRACTION = 0.5
/** The padded copy's longest side; photos up to 1024 px are padded at full size, as before. */
const PAD_MAX_SIDE = 2048
const CROP_DETECT_MIN_SIDE = 96

/** Moves a face found on a copy scaled by `scale` back into the photo's pixels, box clipped to it. */
function unscale(face: AnalyzedFace, scale: number, width: number, height: number): AnalyzedFace {
  const x0 = Math.max(0, face.box.x / scale)
  const y0 = Math.max(0, face.box.y / scale)
  const x1 = Math.min(width, (face.box.x + face.box.w) / scale)
  const y1 = Math.min(height, (face.box.y + face.box.h) / scale)
  const landmarks = face.landmarks.map((v) => v / scale)
  return { ...face, box: { x: x0, y: y0, w: Math.max(1, x1 - x0), h: Math.max(1, y1 - y0) }, landmarks }
}

/** Moves a face found in the padded image back into the original's coordinates, box clipped to it. */
function unpad(face: AnalyzedFace, offset: number, width: number, height: number): AnalyzedFace {
  const x0 = Math.max(0, face.box.x - offset)
  const y0 = Math.max(0, face.box.y - offset)
  const x1 = Math.min(width, face.box.x + face.box.w - offset)
  const y1 = Math.min(height, face.box.y + face.box.h - offset)
  const landmarks = face.landmarks.map((v) => v - offset)
  return { ...face, box: { x: x0, y: y0, w: Math.max(1, x1 - x0), h: Math.max(1, y1 - y0) }, landmarks }
}

/**
 * Detects faces in an RGB image and computes, per face, landmarks, the identity descriptor, the
 * attribute features and the built-in predictions. Requires initBackend and loadModels.
 */
export async function analyzeImage(input: RgbImage, opts: AnalyzeOptions): Promise<AnalyzedFace[]> {
  return (await analyzeImageTimed(input, opts)).faces
}

// Photo file → packed RGB for analyzeImage. EXIF orientation is applied so boxes and landmarks are in
// the orientation the user sees; the pixel limit stops decompression bombs before sharp allocates them.
import sharp from 'sharp'
import type { RgbImage } from './analyze'

/** 50 MP: above any consumer camera, far below what a crafted PNG can claim. */
export const DEFAULT_MAX_PIXELS = 50_000_000

export interface DecodeOptions {
  /** Refuse inputs with more pixels than this (sharp `limitInputPixels`). */
  maxPixels?: number
  /**
   * Downscale so the longer side is at most this many pixels. The detectors work at 416–512 px anyway,
   * so a 4000 px photo mostly costs time; boxes are then in the downscaled image's pixels.
   */
  maxSide?: number
}

export interface DecodedImage extends RgbImage {
  /** Size after EXIF rotation, before any maxSide downscale. */
  originalWidth: number
  originalHeight: number
}

export async function decodeImage(source: string | Buffer, opts: DecodeOptions = {}): Promise<DecodedImage> {
  const limitInputPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS
  let pipeline = sharp(source, { limitInputPixels, failOn: 'error' }).rotate()
  const meta = await pipeline.metadata()
  // EXIF orientations 5–8 swap width and height.
  const swapped = (meta.orientation ?? 1) >= 5
  const originalWidth = (swapped ? meta.height : meta.width) ?? 0
  const originalHeight = (swapped ? meta.width : meta.height) ?? 0
  if (opts.maxSide && Math.max(originalWidth, originalHeight) > opts.maxSide) {
    pipeline = pipeline.resize({ width: opts.maxSide, height: opts.maxSide, fit: 'inside' })
  }
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
  if (info.channels !== 3) throw new Error(`decodeImage: expected 3 channels after conversion, got ${info.channels}`)
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    originalWidth,
    originalHeight
  }
}

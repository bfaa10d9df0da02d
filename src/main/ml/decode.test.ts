import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage } from './decode'
import { dataPath, hasData } from './test-support'

describe('decodeImage', () => {
  it('applies EXIF orientation and returns packed RGB', async () => {
    // 4×2 RGBA image tagged "rotate 90° clockwise" (orientation 6) must come out 2×4 RGB.
    const png = await sharp({
      create: { width: 4, height: 2, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } }
    })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer()
    const img = await decodeImage(png)
    expect([img.width, img.height]).toEqual([2, 4])
    expect([img.originalWidth, img.originalHeight]).toEqual([2, 4])
    expect(img.data).toHaveLength(2 * 4 * 3)
  })

  it('refuses images above the pixel limit (decompression bombs)', async () => {
    const big = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#000' } })
      .png()
      .toBuffer()
    await expect(decodeImage(big, { maxPixels: 1_000_000 })).rejects.toThrow(/pixel limit/i)
  })

  it.skipIf(!hasData)('downscales to maxSide, keeping the original size', async () => {
    const img = await decodeImage(dataPath('group_photos', 'images', 'group-1.jpg'), { maxSide: 640 })
    expect(Math.max(img.width, img.height)).toBe(640)
    expect([img.originalWidth, img.originalHeight]).toEqual([1920, 1440])
    expect(img.data).toHaveLength(img.width * img.height * 3)
  })
})

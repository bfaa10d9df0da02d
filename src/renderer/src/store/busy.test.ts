/**
 * The busy banner's state (issue 9 §3): any call main has not answered within BUSY_AFTER_MS shows up as
 * `slowCall`, and it clears as soon as nothing has waited that long. Main is scripted: calls wait until
 * the test answers them; time is Vitest's fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConnectedApi } from '../api'
import type { CallName } from '../../../shared/contract'
import type { Reply } from '../../../shared/result'
import { useStudio } from './index'
import { BUSY_AFTER_MS, connect, request } from './client'

const pending: Array<{ name: CallName; resolve: (r: Reply<unknown>) => void }> = []
const fakeMain = {
  mode: 'electron',
  call: (name: CallName) => new Promise((resolve) => pending.push({ name, resolve })),
  on: () => () => undefined,
  mediaUrl: (ref: string) => ref
} as unknown as ConnectedApi

function answer(name: CallName): void {
  const i = pending.findIndex((p) => p.name === name)
  pending.splice(i, 1)[0]!.resolve({ ok: true, value: null })
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('busy banner state', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    connect(fakeMain)
  })
  afterEach(() => vi.useRealTimers())

  it('appears after BUSY_AFTER_MS without an answer and clears when answered', async () => {
    const done = request('models.compare', { task: 'expression', a: 0, b: 1 })
    await vi.advanceTimersByTimeAsync(BUSY_AFTER_MS - 100)
    expect(useStudio.getState().slowCall).toBeNull()
    await vi.advanceTimersByTimeAsync(200)
    expect(useStudio.getState().slowCall).toMatchObject({ name: 'models.compare', waiting: 1 })

    // Other calls pile up behind it: the oldest is named, the count says how many wait.
    const info = request('app.info', {})
    await flush()
    expect(useStudio.getState().slowCall).toMatchObject({ name: 'models.compare', waiting: 2 })

    answer('models.compare')
    await done
    await flush()
    // app.info has waited 0 s so far: nothing is slow any more.
    expect(useStudio.getState().slowCall).toBeNull()
    await vi.advanceTimersByTimeAsync(BUSY_AFTER_MS)
    expect(useStudio.getState().slowCall).toMatchObject({ name: 'app.info', waiting: 1 })
    answer('app.info')
    await info
    await flush()
    expect(useStudio.getState().slowCall).toBeNull()
  })

  it('never shows for calls answered in time, and a failed call clears it too', async () => {
    for (let i = 0; i < 5; i++) {
      const r = request('app.info', {})
      await vi.advanceTimersByTimeAsync(BUSY_AFTER_MS / 2)
      answer('app.info')
      await r
    }
    await vi.advanceTimersByTimeAsync(BUSY_AFTER_MS * 2)
    expect(useStudio.getState().slowCall).toBeNull()

    const failing = { ...fakeMain, call: () => Promise.reject(new Error('transport down')) } as ConnectedApi
    connect(failing)
    const r = await request('app.info', {}, { inline: true })
    expect(r.ok).toBe(false)
    await vi.advanceTimersByTimeAsync(BUSY_AFTER_MS * 2)
    expect(useStudio.getState().slowCall).toBeNull()
  })
})

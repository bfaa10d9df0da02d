import { describe, expect, it } from 'vitest'
import { WorkerClient, forkNodeWorker } from '../jobs/worker-client'
import { builtWorker } from '../../test/support'

describe('worker protocol at the boundary', () => {
  it('refuses params that do not match the op schema, naming the field, before the op runs', async () => {
    const w = new WorkerClient(forkNodeWorker, builtWorker)
    try {
      const bad = { projectDir: '/nowhere', task: 'expression', version: -1, activate: true }
      await expect(w.request('predict.task', bad)).rejects.toMatchObject({
        code: 'BAD_ARGS',
        message: expect.stringMatching(/"version".*predict\.task/)
      })
      // The op never ran: a valid request naming a project that does not exist fails in the op instead.
      await expect(
        w.request('predict.task', { projectDir: '/nowhere', task: 'expression', version: 0, activate: true })
      ).rejects.toMatchObject({ code: 'NOT_A_PROJECT' })
      const unknownOp = 'models.nope' as Parameters<WorkerClient['request']>[0]
      await expect(w.request(unknownOp, {} as never)).rejects.toMatchObject({ code: 'UNKNOWN_CALL' })
    } finally {
      await w.shutdown()
    }
  })
})

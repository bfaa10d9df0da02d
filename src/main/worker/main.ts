/** Entry point of the ML worker process: tfjs, models, import, training and re-prediction run here. */
import sharp from 'sharp'
import { ops } from './ops'
import { serveWorker } from './runtime'

// One worker per core already: libvips' own thread pool (one thread per core by default, in every worker)
// only competes with the wasm inference of the other workers, and its operation cache holds decoded photos
// that an import never asks for twice.
sharp.concurrency(1)
sharp.cache(false)

serveWorker(ops)

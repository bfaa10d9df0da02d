/** Entry point of the ML worker process: tfjs, models, import, training and re-prediction run here. */
import { ops } from './ops'
import { serveWorker } from './runtime'

serveWorker(ops)

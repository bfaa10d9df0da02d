/** Entry point of the ML worker process: tfjs, models, import, training and re-prediction run here. */
import { serveWorker } from '../jobs/worker-runtime'
import { workerOps } from './worker-ops'

serveWorker(workerOps)

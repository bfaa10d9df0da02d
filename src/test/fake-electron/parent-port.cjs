'use strict'
/**
 * Preloaded (--require) into the Node child that stands in for an Electron utility process: the script's
 * only channel to main becomes `process.parentPort`, as in Electron (messages arrive as `{ data }`, sends
 * go through `postMessage`), and `process.send` is removed, so the worker must take its utility-process path.
 */
const { EventEmitter } = require('node:events')

const send = process.send.bind(process)
const parentPort = new EventEmitter()
parentPort.postMessage = (message) => {
  if (process.connected) send(message, undefined, undefined, () => undefined)
}
parentPort.start = () => undefined
process.on('message', (data) => parentPort.emit('message', { data, ports: [] }))
// Electron ends a utility process with its main process; a lost channel is the same here.
process.on('disconnect', () => process.exit(0))
delete process.send
Object.defineProperty(process, 'parentPort', { value: parentPort, enumerable: false })

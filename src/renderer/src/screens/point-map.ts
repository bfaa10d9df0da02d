/**
 * The Map's WebGL point renderer: every face one GL point, coloured through a small palette, with pan (drag),
 * zoom (wheel, about the cursor), hover (nearest point within a few pixels) and lasso or box selection (the Lasso / Box tool
 * or Shift+drag). Frames are drawn only when something changed, one per animation frame.
 *
 * Why not regl-scatterplot: regl compiles every draw command with `Function(...)`, which the window's
 * Content-Security-Policy (`script-src 'self'`, no 'unsafe-eval') refuses (regl issue #491: the maintainers keep
 * code generation). One shader pair and two buffers do what the Map needs without weakening the policy.
 */

const VERTEX = `
attribute vec2 a_pos;
attribute vec3 a_colour;
attribute float a_selected;
uniform float u_zoom;
uniform vec2 u_offset;
uniform vec2 u_aspect;
uniform float u_size;
uniform float u_dimmed;
varying vec4 v_colour;
void main() {
  gl_Position = vec4((a_pos * u_zoom + u_offset) * u_aspect, 0.0, 1.0);
  vec3 c = a_colour;
  float alpha = a_selected > 0.5 ? 1.0 : (u_dimmed > 0.5 ? 0.22 : 0.85);
  v_colour = vec4(c, alpha);
  gl_PointSize = a_selected > 0.5 ? u_size + 2.0 : u_size;
}
`

const FRAGMENT = `
precision mediump float;
varying vec4 v_colour;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  float r = dot(d, d);
  if (r > 0.25) discard;
  gl_FragColor = vec4(v_colour.rgb * v_colour.a, v_colour.a);
}
`

export const MAX_PALETTE = 16

export interface PointMapEvents {
  onHover(index: number | null, x: number, y: number): void
  onSelect(indices: number[]): void
  /** A frame was drawn (the benchmark measures their intervals while panning). */
  onFrame?(): void
}

function hexToRgb(hex: string): [number, number, number] {
  const h = hex.replace('#', '')
  const n = parseInt(h.length === 3 ? [...h].map((c) => c + c).join('') : h, 16)
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255]
}

function compile(gl: WebGLRenderingContext, type: number, src: string): WebGLShader {
  const s = gl.createShader(type)
  if (!s) throw new Error('WebGL could not create a shader')
  gl.shaderSource(s, src)
  gl.compileShader(s)
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) ?? 'shader error')
  return s
}

export type MapTool = 'pan' | 'lasso' | 'box'

/** Whether (x, y) lies inside the polygon (even-odd rule). */
function inside(poly: readonly number[], x: number, y: number): boolean {
  let hit = false
  const n = poly.length / 2
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[i * 2] as number
    const yi = poly[i * 2 + 1] as number
    const xj = poly[j * 2] as number
    const yj = poly[j * 2 + 1] as number
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit
  }
  return hit
}

export class PointMap {
  private readonly gl: WebGLRenderingContext
  private readonly program: WebGLProgram
  private readonly posBuf: WebGLBuffer
  private readonly colourBuf: WebGLBuffer
  private readonly selBuf: WebGLBuffer
  private readonly loc: { pos: number; colour: number; sel: number }
  private readonly uni: Record<'zoom' | 'offset' | 'aspect' | 'size' | 'dimmed', WebGLUniformLocation | null>
  private x: Float32Array = new Float32Array(0)
  private y: Float32Array = new Float32Array(0)
  private n = 0
  private selected = new Uint8Array(0)
  private selectedCount = 0
  /** World → clip: (world · zoom + offset) · aspect, the shorter side of the canvas spanning [-1, 1] at zoom 1. */
  private zoom = 1
  private offset: [number, number] = [0, 0]
  private size = 3
  private frame = 0
  private drag: { x: number; y: number; mode: MapTool; path: number[] } | null = null
  private tool: MapTool = 'pan'
  private hovered: number | null = null
  private readonly detach: () => void

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly overlay: HTMLCanvasElement,
    private readonly events: PointMapEvents
  ) {
    const gl = canvas.getContext('webgl', { antialias: false, premultipliedAlpha: true, alpha: true })
    if (!gl) throw new Error('This window cannot draw WebGL: the Map needs WebGL.')
    this.gl = gl
    const program = gl.createProgram()
    const posBuf = gl.createBuffer()
    const colourBuf = gl.createBuffer()
    const selBuf = gl.createBuffer()
    if (!program || !posBuf || !colourBuf || !selBuf) throw new Error('WebGL could not create its buffers')
    gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX))
    gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT))
    gl.linkProgram(program)
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program) ?? 'link error')
    this.program = program
    this.posBuf = posBuf
    this.colourBuf = colourBuf
    this.selBuf = selBuf
    this.loc = {
      pos: gl.getAttribLocation(program, 'a_pos'),
      colour: gl.getAttribLocation(program, 'a_colour'),
      sel: gl.getAttribLocation(program, 'a_selected')
    }
    this.uni = {
      zoom: gl.getUniformLocation(program, 'u_zoom'),
      offset: gl.getUniformLocation(program, 'u_offset'),
      aspect: gl.getUniformLocation(program, 'u_aspect'),
      size: gl.getUniformLocation(program, 'u_size'),
      dimmed: gl.getUniformLocation(program, 'u_dimmed')
    }
    gl.enable(gl.BLEND)
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA)
    this.detach = this.listen()
    this.resize()
  }

  destroy(): void {
    cancelAnimationFrame(this.frame)
    this.detach()
    const gl = this.gl
    gl.deleteBuffer(this.posBuf)
    gl.deleteBuffer(this.colourBuf)
    gl.deleteBuffer(this.selBuf)
    gl.deleteProgram(this.program)
  }

  /** Positions in [-1, 1] (both axes on one scale); the view goes back to the whole map. */
  setPoints(x: Float32Array, y: Float32Array): void {
    this.n = x.length
    this.x = x
    this.y = y
    const pos = new Float32Array(this.n * 2)
    for (let i = 0; i < this.n; i++) {
      pos[i * 2] = x[i] as number
      pos[i * 2 + 1] = y[i] as number
    }
    const gl = this.gl
    gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf)
    gl.bufferData(gl.ARRAY_BUFFER, pos, gl.STATIC_DRAW)
    this.selected = new Uint8Array(this.n)
    this.selectedCount = 0
    this.uploadSelection()
    this.zoom = 1
    this.offset = [0, 0]
    this.hovered = null
    this.schedule()
  }

  /**
   * Each point's palette index (codes) and the palette (at most 16 colours). Resolved to one RGB triple per
   * point here, once, so the vertex shader does no lookup per point per frame (software GL runs it on the CPU).
   */
  setColours(codes: Int32Array, palette: readonly string[]): void {
    const gl = this.gl
    const rgb = palette.slice(0, MAX_PALETTE).map(hexToRgb)
    const c = new Uint8Array(this.n * 3)
    for (let i = 0; i < this.n; i++) {
      const [r, g, b] = rgb[Math.min(rgb.length - 1, Math.max(0, codes[i] ?? 0))] ?? [0, 0, 0]
      c[i * 3] = r * 255
      c[i * 3 + 1] = g * 255
      c[i * 3 + 2] = b * 255
    }
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colourBuf)
    gl.bufferData(gl.ARRAY_BUFFER, c, gl.STATIC_DRAW)
    this.schedule()
  }

  setPointSize(px: number): void {
    this.size = px
    this.schedule()
  }

  /** What a plain drag does: pan, draw a lasso, or draw a box (Shift+drag always lassoes). */
  setTool(tool: MapTool): void {
    this.tool = tool
    this.canvas.style.cursor = tool === 'pan' ? 'grab' : 'crosshair'
  }

  select(indices: readonly number[]): void {
    this.selected.fill(0)
    for (const i of indices) if (i >= 0 && i < this.n) this.selected[i] = 1
    this.selectedCount = indices.length
    this.uploadSelection()
    this.schedule()
  }

  /** Moves the view by (dx, dy) CSS pixels, as a drag does. */
  panBy(dx: number, dy: number): void {
    const { w, h } = this.cssSize()
    const [ax, ay] = this.aspect()
    this.offset = [this.offset[0] + (2 * dx) / (w * ax), this.offset[1] - (2 * dy) / (h * ay)]
    this.schedule()
  }

  resize(): void {
    const dpr = window.devicePixelRatio || 1
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr))
    const h = Math.max(1, Math.round(this.canvas.clientHeight * dpr))
    for (const c of [this.canvas, this.overlay]) {
      if (c.width !== w) c.width = w
      if (c.height !== h) c.height = h
    }
    this.schedule()
  }

  private cssSize(): { w: number; h: number } {
    return { w: Math.max(1, this.canvas.clientWidth), h: Math.max(1, this.canvas.clientHeight) }
  }

  /** Per-axis factors that keep the map's aspect: the shorter side of the canvas spans [-1, 1] at zoom 1. */
  private aspect(): [number, number] {
    const { w, h } = this.cssSize()
    return w >= h ? [h / w, 1] : [1, w / h]
  }

  /** Point i's position in CSS pixels of the canvas, for a view given by (zoom, offset, aspect, size). */
  private project(i: number, ax: number, ay: number, w: number, h: number): [number, number] {
    const cx = ((this.x[i] as number) * this.zoom + this.offset[0]) * ax
    const cy = ((this.y[i] as number) * this.zoom + this.offset[1]) * ay
    return [((cx + 1) / 2) * w, ((1 - cy) / 2) * h]
  }

  /** A point's position in CSS pixels of the canvas. */
  screenOf(i: number): [number, number] {
    const { w, h } = this.cssSize()
    const [ax, ay] = this.aspect()
    return this.project(i, ax, ay, w, h)
  }

  private uploadSelection(): void {
    const gl = this.gl
    const s = new Float32Array(this.n)
    for (let i = 0; i < this.n; i++) s[i] = this.selected[i] as number
    gl.bindBuffer(gl.ARRAY_BUFFER, this.selBuf)
    gl.bufferData(gl.ARRAY_BUFFER, s, gl.DYNAMIC_DRAW)
  }

  private schedule(): void {
    if (this.frame) return
    this.frame = requestAnimationFrame(() => {
      this.frame = 0
      this.draw()
    })
  }

  private draw(): void {
    const gl = this.gl
    gl.viewport(0, 0, this.canvas.width, this.canvas.height)
    gl.clearColor(0, 0, 0, 0)
    gl.clear(gl.COLOR_BUFFER_BIT)
    if (this.n > 0) {
      gl.useProgram(this.program)
      const [ax, ay] = this.aspect()
      gl.uniform1f(this.uni.zoom, this.zoom)
      gl.uniform2f(this.uni.offset, this.offset[0], this.offset[1])
      gl.uniform2f(this.uni.aspect, ax, ay)
      gl.uniform1f(this.uni.size, this.size * (window.devicePixelRatio || 1))
      gl.uniform1f(this.uni.dimmed, this.selectedCount > 0 ? 1 : 0)
      const bind = (buf: WebGLBuffer, loc: number, size: number, type: number = gl.FLOAT): void => {
        gl.bindBuffer(gl.ARRAY_BUFFER, buf)
        gl.enableVertexAttribArray(loc)
        gl.vertexAttribPointer(loc, size, type, type !== gl.FLOAT, 0, 0)
      }
      bind(this.posBuf, this.loc.pos, 2)
      bind(this.colourBuf, this.loc.colour, 3, gl.UNSIGNED_BYTE)
      bind(this.selBuf, this.loc.sel, 1)
      gl.drawArrays(gl.POINTS, 0, this.n)
    }
    this.events.onFrame?.()
  }

  private drawLasso(): void {
    const ctx = this.overlay.getContext('2d')
    if (!ctx) return
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height)
    const path = this.drag && this.drag.mode !== 'pan' ? this.drag.path : null
    if (!path || path.length < 4) return
    const dpr = window.devicePixelRatio || 1
    ctx.beginPath()
    ctx.moveTo((path[0] as number) * dpr, (path[1] as number) * dpr)
    for (let i = 2; i < path.length; i += 2) ctx.lineTo((path[i] as number) * dpr, (path[i + 1] as number) * dpr)
    ctx.closePath()
    ctx.fillStyle = 'rgba(55, 104, 232, 0.12)'
    ctx.strokeStyle = '#3768e8'
    ctx.lineWidth = 1.5 * dpr
    ctx.fill()
    ctx.stroke()
  }

  /** The nearest point within `radius` CSS pixels of (px, py), or null. */
  private nearest(px: number, py: number, radius: number): number | null {
    let best: number | null = null
    let bestD = radius * radius
    const { w, h } = this.cssSize()
    const [ax, ay] = this.aspect()
    for (let i = 0; i < this.n; i++) {
      const [x, y] = this.project(i, ax, ay, w, h)
      const d = (x - px) * (x - px) + (y - py) * (y - py)
      if (d < bestD) {
        bestD = d
        best = i
      }
    }
    return best
  }

  private finishLasso(path: readonly number[]): void {
    if (path.length < 6) return
    const { w, h } = this.cssSize()
    const [ax, ay] = this.aspect()
    const out: number[] = []
    for (let i = 0; i < this.n; i++) {
      const [x, y] = this.project(i, ax, ay, w, h)
      if (inside(path, x, y)) out.push(i)
    }
    this.select(out)
    this.events.onSelect(out)
  }

  private listen(): () => void {
    const c = this.canvas
    const local = (e: PointerEvent | WheelEvent): [number, number] => {
      const r = c.getBoundingClientRect()
      return [e.clientX - r.left, e.clientY - r.top]
    }
    const down = (e: PointerEvent): void => {
      if (e.button !== 0) return
      const [x, y] = local(e)
      this.drag = { x, y, mode: e.shiftKey ? 'lasso' : this.tool, path: [x, y] }
      try {
        c.setPointerCapture(e.pointerId)
      } catch {
        // A pointer the browser does not know (a synthetic event) cannot be captured; the drag still works.
      }
      if (this.hovered !== null) {
        this.hovered = null
        this.events.onHover(null, 0, 0)
      }
    }
    const move = (e: PointerEvent): void => {
      const [x, y] = local(e)
      if (this.drag) {
        if (this.drag.mode === 'lasso') {
          this.drag.path.push(x, y)
          this.drawLasso()
        } else if (this.drag.mode === 'box') {
          // The box as the polygon of its corners, so it is drawn and hit-tested like a lasso.
          const { x: x0, y: y0 } = this.drag
          this.drag.path = [x0, y0, x, y0, x, y, x0, y]
          this.drawLasso()
        } else {
          this.panBy(x - this.drag.x, y - this.drag.y)
          this.drag.x = x
          this.drag.y = y
        }
        return
      }
      const hit = this.nearest(x, y, Math.max(6, this.size + 3))
      if (hit !== this.hovered) {
        this.hovered = hit
        if (hit === null) this.events.onHover(null, 0, 0)
        else {
          const [hx, hy] = this.screenOf(hit)
          this.events.onHover(hit, hx, hy)
        }
      }
    }
    const up = (e: PointerEvent): void => {
      const d = this.drag
      this.drag = null
      if (c.hasPointerCapture(e.pointerId)) c.releasePointerCapture(e.pointerId)
      if (d && d.mode !== 'pan') {
        this.finishLasso(d.path)
        this.drawLasso()
      }
    }
    const wheel = (e: WheelEvent): void => {
      e.preventDefault()
      const [px, py] = local(e)
      const { w, h } = this.cssSize()
      const factor = Math.exp(-e.deltaY * 0.0015)
      const next = Math.min(400, Math.max(0.5, this.zoom * factor))
      // Keep the world point under the cursor where it is: with u the cursor before the aspect factors,
      // u = world · zoom + offset before and after, so offset' = u − (u − offset) · next / zoom.
      const [ax, ay] = this.aspect()
      const u = ((px / w) * 2 - 1) / ax
      const v = (1 - (py / h) * 2) / ay
      const k = next / this.zoom
      this.offset = [u - (u - this.offset[0]) * k, v - (v - this.offset[1]) * k]
      this.zoom = next
      this.hovered = null
      this.events.onHover(null, 0, 0)
      this.schedule()
    }
    const leave = (): void => {
      if (this.hovered !== null && !this.drag) {
        this.hovered = null
        this.events.onHover(null, 0, 0)
      }
    }
    c.addEventListener('pointerdown', down)
    c.addEventListener('pointermove', move)
    c.addEventListener('pointerup', up)
    c.addEventListener('pointercancel', up)
    c.addEventListener('pointerleave', leave)
    c.addEventListener('wheel', wheel, { passive: false })
    c.style.cursor = 'grab'
    c.style.touchAction = 'none'
    return () => {
      c.removeEventListener('pointerdown', down)
      c.removeEventListener('pointermove', move)
      c.removeEventListener('pointerup', up)
      c.removeEventListener('pointercancel', up)
      c.removeEventListener('pointerleave', leave)
      c.removeEventListener('wheel', wheel)
    }
  }
}

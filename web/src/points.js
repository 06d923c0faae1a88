// A MapLibre custom WebGL2 layer drawing many points from typed arrays: positions of all objects at every step
// of a window in one buffer (float32 lon, lat, height), interpolated on the GPU between two steps; colours per
// object (RGBA8, alpha 0 hides an object). Works in mercator and globe projections through MapLibre's
// projectTile prelude, which takes Web Mercator coordinates in 0..1.
const VERTEX = `
in vec3 a_p0;
in vec3 a_p1;
in vec4 a_color;
uniform float u_frac;
uniform float u_size;
uniform int u_selected;
out vec4 v_color;
const float MAX_LAT = 85.0511;
vec2 mercator(vec2 lonlat) {
  float lat = clamp(lonlat.y, -MAX_LAT, MAX_LAT) * PI / 180.0;
  return vec2((lonlat.x + 180.0) / 360.0, 0.5 - log(tan(PI / 4.0 + lat / 2.0)) / (2.0 * PI));
}
void main() {
  float dlon = a_p1.x - a_p0.x;
  if (dlon > 180.0) dlon -= 360.0;
  if (dlon < -180.0) dlon += 360.0;
  float lon = a_p0.x + dlon * u_frac;
  if (lon > 180.0) lon -= 360.0;
  if (lon < -180.0) lon += 360.0;
  vec2 lonlat = vec2(lon, mix(a_p0.y, a_p1.y, u_frac));
  bool bad = a_color.a < 0.01 || isnan(a_p0.x) || isnan(a_p1.x);
  gl_Position = bad ? vec4(2.0, 2.0, 2.0, 1.0) : projectTile(mercator(lonlat));
  bool sel = gl_VertexID == u_selected;
  gl_PointSize = sel ? u_size * 3.5 : u_size;
  v_color = sel ? vec4(1.0, 1.0, 1.0, 1.0) : a_color;
}`;

const FRAGMENT = `#version 300 es
precision mediump float;
in vec4 v_color;
out vec4 fragColor;
void main() {
  vec2 d = gl_PointCoord - vec2(0.5);
  if (dot(d, d) > 0.25) discard;
  fragColor = vec4(v_color.rgb * v_color.a, v_color.a);
}`;

export class PointLayer {
  constructor(id = "objects") {
    this.id = id;
    this.type = "custom";
    this.renderingMode = "2d";
    this.count = 0;
    this.steps = 0;
    this.step = 0;
    this.frac = 0;
    this.selected = -1;
    this.size = 3;
    this.programs = {};
    this.frames = 0;
  }

  onAdd(map, gl) {
    this.map = map;
    this.gl = gl;
    this.positions = gl.createBuffer();
    this.colors = gl.createBuffer();
  }

  // Positions of `count` objects at `steps` times: Float32Array (steps * count * 3); uploaded at the next frame.
  setPositions(data, steps, count) {
    this.pendingPositions = data;
    this.steps = steps;
    this.count = count;
    this.map?.triggerRepaint();
  }

  // RGBA8 colour per object (alpha 0 hides it); uploaded at the next frame.
  setColors(rgba) {
    this.pendingColors = rgba;
    this.map?.triggerRepaint();
  }

  upload(gl) {
    if (this.pendingPositions) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.positions);
      gl.bufferData(gl.ARRAY_BUFFER, this.pendingPositions, gl.STATIC_DRAW);
      this.pendingPositions = null;
    }
    if (this.pendingColors) {
      gl.bindBuffer(gl.ARRAY_BUFFER, this.colors);
      gl.bufferData(gl.ARRAY_BUFFER, this.pendingColors, gl.DYNAMIC_DRAW);
      this.pendingColors = null;
    }
  }

  setTime(step, frac) {
    this.step = Math.max(0, Math.min(step, this.steps - 1));
    this.frac = this.step >= this.steps - 1 ? 0 : frac;
    this.map?.triggerRepaint();
  }

  program(gl, shaderData) {
    const key = shaderData.variantName;
    if (this.programs[key]) return this.programs[key];
    const compile = (type, source) => {
      const s = gl.createShader(type);
      gl.shaderSource(s, source);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
      return s;
    };
    const p = gl.createProgram();
    gl.attachShader(p, compile(gl.VERTEX_SHADER,
      `#version 300 es\n${shaderData.vertexShaderPrelude}\n${shaderData.define}\n${VERTEX}`));
    gl.attachShader(p, compile(gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(p));
    const loc = (n) => gl.getUniformLocation(p, n);
    this.programs[key] = {
      p, a_p0: gl.getAttribLocation(p, "a_p0"), a_p1: gl.getAttribLocation(p, "a_p1"),
      a_color: gl.getAttribLocation(p, "a_color"),
      u: Object.fromEntries(["u_frac", "u_size", "u_selected", "u_projection_matrix", "u_projection_fallback_matrix",
        "u_projection_tile_mercator_coords", "u_projection_clipping_plane", "u_projection_tile_origin",
        "u_projection_tile_origin_position", "u_projection_transition", "u_projection_clip_antimeridian"]
        .map((n) => [n, loc(n)])),
    };
    return this.programs[key];
  }

  render(gl, options) {
    if (!this.count || !this.steps) return;
    this.upload(gl);
    const pr = this.program(gl, options.shaderData);
    const d = options.defaultProjectionData;
    gl.useProgram(pr.p);
    const u = pr.u;
    gl.uniformMatrix4fv(u.u_projection_matrix, false, d.mainMatrix);
    if (u.u_projection_fallback_matrix) gl.uniformMatrix4fv(u.u_projection_fallback_matrix, false, d.fallbackMatrix);
    if (u.u_projection_tile_mercator_coords) gl.uniform4f(u.u_projection_tile_mercator_coords, ...d.tileMercatorCoords);
    if (u.u_projection_clipping_plane) gl.uniform4f(u.u_projection_clipping_plane, ...d.clippingPlane);
    if (u.u_projection_tile_origin) gl.uniform4f(u.u_projection_tile_origin, ...(d.tileOrigin || [0, 0, 0, 0]));
    if (u.u_projection_tile_origin_position) {
      gl.uniform2f(u.u_projection_tile_origin_position, ...(d.tileOriginPosition || [0, 0]));
    }
    if (u.u_projection_transition) gl.uniform1f(u.u_projection_transition, d.projectionTransition);
    if (u.u_projection_clip_antimeridian) gl.uniform1i(u.u_projection_clip_antimeridian, 0);
    gl.uniform1f(u.u_frac, this.frac);
    gl.uniform1f(u.u_size, this.size * (window.devicePixelRatio || 1));
    gl.uniform1i(u.u_selected, this.selected);
    const next = Math.min(this.step + 1, this.steps - 1);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.positions);
    gl.enableVertexAttribArray(pr.a_p0);
    gl.vertexAttribPointer(pr.a_p0, 3, gl.FLOAT, false, 12, this.step * this.count * 12);
    gl.enableVertexAttribArray(pr.a_p1);
    gl.vertexAttribPointer(pr.a_p1, 3, gl.FLOAT, false, 12, next * this.count * 12);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colors);
    gl.enableVertexAttribArray(pr.a_color);
    gl.vertexAttribPointer(pr.a_color, 4, gl.UNSIGNED_BYTE, true, 0, 0);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.disable(gl.DEPTH_TEST);
    gl.drawArrays(gl.POINTS, 0, this.count);
    gl.disableVertexAttribArray(pr.a_p0);
    gl.disableVertexAttribArray(pr.a_p1);
    gl.disableVertexAttribArray(pr.a_color);
    this.frames += 1;
  }

  onRemove(map, gl) {
    gl.deleteBuffer(this.positions);
    gl.deleteBuffer(this.colors);
    for (const pr of Object.values(this.programs)) gl.deleteProgram(pr.p);
    this.programs = {};
  }
}

import { BackSide, ShaderMaterial, Vector3, Vector4, type Texture } from 'three';
import type { Projection } from '../projection.ts';

/** Which eye's half of a stereo frame a mesh shows. Mono frames have only one picture. */
export type Eye = 'left' | 'right';

/**
 * The part of the frame (scale.xy, offset.xy in texture space, v = 1 at the top of the frame)
 * holding one eye's picture. Top-bottom: the top half is the left eye. Left-right: the left half is the left eye.
 */
export function eyeRegion(projection: Projection, eye: Eye): Vector4 {
  switch (projection) {
    case 'equirectangular-mono':
      return new Vector4(1, 1, 0, 0);
    case 'stereo-top-bottom':
      return eye === 'left' ? new Vector4(1, 0.5, 0, 0.5) : new Vector4(1, 0.5, 0, 0);
    case 'stereo-left-right':
      return eye === 'left' ? new Vector4(0.5, 1, 0, 0) : new Vector4(0.5, 1, 0.5, 0);
  }
}

// The texture coordinate is computed per fragment from the viewing direction instead of being
// interpolated from the sphere's vertices: that keeps the 0/360° wrap and the poles exact
// (no smeared triangle fan at the zenith, no stretched column at the seam).
const vertexShader = /* glsl */ `
varying vec3 vDirection;
void main() {
  vDirection = position;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}
`;

const fragmentShader = /* glsl */ `
uniform sampler2D map;
uniform float hasMap;
uniform vec4 region;
uniform float seam;
uniform vec3 seamColor;
varying vec3 vDirection;
const float PI = 3.141592653589793;
void main() {
  vec3 d = normalize(vDirection);
  // Longitude 0 at -Z (the centre of the frame), +90 degrees at +X (to the right).
  float lon = atan(d.x, -d.z);
  float lat = asin(clamp(d.y, -1.0, 1.0));
  vec2 uv = vec2(fract(0.5 + lon / (2.0 * PI)), 0.5 + lat / PI);
  uv = uv * region.xy + region.zw;
  vec3 color = hasMap > 0.5 ? texture2D(map, uv).rgb : vec3(0.0);
  if (seam > 0.5) {
    // Angle from the wrap (+Z); continuous there, so fwidth gives about one pixel of it.
    // The clamp hides the jump of this angle at the frame centre (-Z), far from the seam.
    float a = atan(d.x, d.z);
    float w = min(fwidth(a), 0.05) * 1.5;
    if (abs(a) < w) color = seamColor;
  }
  gl_FragColor = vec4(color, 1.0);
}
`;

export type SphereUniforms = {
  map: { value: Texture | null };
  hasMap: { value: number };
  region: { value: Vector4 };
  seam: { value: number };
  seamColor: { value: Vector3 };
};

/** The inside-of-a-sphere material for one eye. Colours pass through untouched (no colour-space conversion). */
export function createSphereMaterial(): ShaderMaterial & { uniforms: SphereUniforms } {
  const uniforms: SphereUniforms = {
    map: { value: null },
    hasMap: { value: 0 },
    region: { value: new Vector4(1, 1, 0, 0) },
    seam: { value: 0 },
    seamColor: { value: new Vector3(1, 0.2, 0.6) },
  };
  const material = new ShaderMaterial({
    uniforms,
    vertexShader,
    fragmentShader,
    side: BackSide,
    depthWrite: false,
    depthTest: false,
  });
  return material as ShaderMaterial & { uniforms: SphereUniforms };
}

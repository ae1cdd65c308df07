/** Deterministic unit vectors (xorshift32 + Box–Muller). */
export function unitVectors(n: number, dim: number, seed: number): Float32Array[] {
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Float32Array(dim);
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      v[j] = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
      norm += v[j]! * v[j]!;
    }
    for (let j = 0; j < dim; j++) v[j] = v[j]! / Math.sqrt(norm);
    out.push(v);
  }
  return out;
}

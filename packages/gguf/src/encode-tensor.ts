import { toHalf } from "./f16.ts";
import { TensorType } from "./types.ts";

const Q8_0_BLOCK = 32;

export function encodedSize(type: TensorType, count: number): number {
  switch (type) {
    case TensorType.F32:
      return count * 4;
    case TensorType.F16:
      return count * 2;
    case TensorType.Q8_0:
      return (count / Q8_0_BLOCK) * (2 + Q8_0_BLOCK);
  }
}

/** Writes `data` in the given ggml type into `out` (which has exactly `encodedSize` bytes). */
export function encodeTensor(type: TensorType, data: Float32Array, out: DataView): void {
  switch (type) {
    case TensorType.F32:
      for (let i = 0; i < data.length; i++) out.setFloat32(i * 4, data[i]!, true);
      return;
    case TensorType.F16:
      for (let i = 0; i < data.length; i++) out.setUint16(i * 2, toHalf(data[i]!), true);
      return;
    case TensorType.Q8_0: {
      // Block: f16 scale d = max|x| / 127, then 32 signed bytes round(x / d).
      for (let b = 0, o = 0; b < data.length; b += Q8_0_BLOCK, o += 2 + Q8_0_BLOCK) {
        let amax = 0;
        for (let i = 0; i < Q8_0_BLOCK; i++) amax = Math.max(amax, Math.abs(data[b + i]!));
        const d = amax / 127;
        const inv = d ? 1 / d : 0;
        out.setUint16(o, toHalf(d), true);
        for (let i = 0; i < Q8_0_BLOCK; i++) out.setInt8(o + 2 + i, Math.round(data[b + i]! * inv));
      }
      return;
    }
  }
}

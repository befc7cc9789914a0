import { fromHalf } from "./f16.ts";
import { TensorType } from "./types.ts";

const Q8_0_BLOCK = 32;
const TYPE_NAMES: Record<number, string> = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  6: "Q5_0",
  7: "Q5_1",
  8: "Q8_0",
  10: "Q2_K",
  11: "Q3_K",
  12: "Q4_K",
  13: "Q5_K",
  14: "Q6_K",
  30: "BF16",
};

export const tensorTypeName = (type: number) => TYPE_NAMES[type] ?? `type ${type}`;

/** Bytes `count` values of `type` take, for the types benih reads (F32, F16, Q8_0); undefined for others. */
export function storedSize(type: number, count: number): number | undefined {
  if (type === TensorType.F32) return count * 4;
  if (type === TensorType.F16) return count * 2;
  if (type === TensorType.Q8_0 && count % Q8_0_BLOCK === 0) return (count / Q8_0_BLOCK) * (2 + Q8_0_BLOCK);
  return undefined;
}

/** Float32 values of a stored tensor: F32 as is, F16 widened, Q8_0 dequantised (block scale × int8). */
export function decodeTensor(type: number, bytes: Uint8Array, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  switch (type) {
    case TensorType.F32:
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case TensorType.F16:
      for (let i = 0; i < count; i++) out[i] = fromHalf(view.getUint16(i * 2, true));
      return out;
    case TensorType.Q8_0:
      for (let b = 0, o = 0; b < count; b += Q8_0_BLOCK, o += 2 + Q8_0_BLOCK) {
        const d = fromHalf(view.getUint16(o, true));
        for (let i = 0; i < Q8_0_BLOCK; i++) out[b + i] = d * view.getInt8(o + 2 + i);
      }
      return out;
    default:
      throw new Error(`tensors of type ${tensorTypeName(type)} cannot be decoded (F32, F16 and Q8_0 can)`);
  }
}

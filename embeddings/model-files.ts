// Where transformers.js looks for a model's files, so that selection can tell "available locally"
// without loading onnxruntime, and errors can name the exact places searched.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** transformers.js picks `onnx/model<suffix>.onnx` by dtype; fp32 is the Node default. */
export const DTYPE_SUFFIX = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;

export type ModelDtype = keyof typeof DTYPE_SUFFIX;

/** The files a feature-extraction pipeline reads, relative to the model's folder. */
export function requiredModelFiles(dtype: ModelDtype = 'fp32'): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/model${DTYPE_SUFFIX[dtype]}.onnx`];
}

/**
 * The folder holding every required file of `model`: `<modelDir>/<model>` (local models) or
 * `<cacheDir>/<model>` (files transformers.js downloaded earlier), else undefined.
 */
export function findLocalModel(
  model: string,
  modelDir: string,
  cacheDir: string,
  dtype: ModelDtype = 'fp32',
): string | undefined {
  const files = requiredModelFiles(dtype);
  for (const root of [modelDir, cacheDir]) {
    const dir = resolve(root, model);
    if (files.every((f) => existsSync(join(dir, f)))) return dir;
  }
  return undefined;
}

/** Which required files are missing in `<root>/<model>`: for error messages. */
export function missingModelFiles(model: string, root: string, dtype: ModelDtype = 'fp32'): string[] {
  const dir = resolve(root, model);
  return requiredModelFiles(dtype).filter((f) => !existsSync(join(dir, f)));
}

/** How to get a model onto a machine that cannot download it at run time. */
export function howToGetModel(model: string, modelDir: string): string {
  const target = join(modelDir, model);
  return (
    `put the model's files in ${target}/ (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx), ` +
    `e.g. \`git clone https://huggingface.co/${model} ${target}\` on a machine with internet, ` +
    `or run once without PAPERFEED_OFFLINE so that it is downloaded to the cache; ` +
    `(a tiny test model: \`npm run tiny-model -- ${modelDir}\` with PAPERFEED_MODEL=paperfeed/tiny-bert)`
  );
}

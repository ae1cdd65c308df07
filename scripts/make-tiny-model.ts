// Writes a tiny but valid BERT-style model directory (config, WordPiece tokenizer, ONNX graph) that
// transformers.js loads fully offline. No weights can be downloaded here, so the tests and the
// bench run the real transformers.js code path on this model instead.
//
//   npm run tiny-model -- <dir> [model id]     → <dir>/<model id>/{config.json,tokenizer*.json,onnx/model.onnx}
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import onnxProto from 'onnx-proto';
import type { onnx as pb } from 'onnx-proto';
import { rng } from '../embeddings/rng.ts';

const { onnx } = onnxProto;

export const TINY_MODEL_ID = 'paperfeed/tiny-bert';
export const TINY_HIDDEN_SIZE = 32;
const SEED = 0x9e3779b9;

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

// Common English and ML words: enough that abstracts tokenize mostly into whole words; every other
// ASCII word still tokenizes through the single-character pieces below, so nothing is lost to [UNK].
const WORDS = `
the of and to in a is that for on with as by this we are be it from an at or which our can
not these have has their its been more than also but such both into when while only other each
new all two one three over between using use used based show shows propose proposed present
approach method methods model models learning network networks neural deep data dataset datasets
training train trained task tasks performance results result state art large language vision image
images video text speech audio graph graphs reinforcement policy reward agent agents robot robust
robustness attention transformer transformers layer layers feature features representation
representations embedding embeddings token tokens sequence sequences generation generative
diffusion adversarial gradient gradients optimization optimizer loss function functions
objective convex stochastic descent convergence theoretical theory analysis bound bounds error
errors accuracy efficient efficiency fast speed memory compute computational cost scalable scale
scaling parameter parameters hyperparameter hyperparameters weight weights sparse sparsity dense
pruning quantization compression distillation teacher student knowledge transfer domain adaptation
generalization supervised unsupervised self semi contrastive pretraining pre fine tuning tuned
benchmark benchmarks evaluation evaluate experiments experimental empirical demonstrate achieve
achieves improve improves improved improvement outperform outperforms baseline baselines existing
prior previous work works paper study problem problems challenge challenges framework algorithm
algorithms inference estimation estimator probability distribution distributions gaussian bayesian
variational latent space spaces prior posterior sampling sample samples noise noisy label labels
labeled classification classifier regression detection segmentation object objects recognition
retrieval search query queries reasoning mathematical math question questions answer answering
llm llms gpt bert reasoning chain thought instruction instructions human feedback preference
alignment safety privacy private secure security federated distributed parallel hardware gpu cpu
energy entropy information mutual transport optimal matrix matrices linear nonlinear kernel
convolutional recurrent lstm rnn cnn mlp architecture architectures search neural design
continual lifelong incremental catastrophic forgetting memory replay meta few shot zero
multimodal modality modalities cross visual textual semantic semantics structure structured
temporal spatial dynamic dynamics physical simulation control planning exploration exploitation
online offline bandit regret value values q actor critic environment environments trajectory
trajectories action actions state states markov decision process processes time series forecasting
signal signals frequency wavelet fourier spectral clustering cluster clusters manifold geometry
geometric equivariant invariant symmetry group molecular protein chemistry biology medical
clinical health patient patients code program programs software tool tools retrieval augmented
generation summarization translation dialogue conversation sentiment named entity reader
three dimensional 3d 2d point cloud shape shapes mesh rendering radiance field fields implicit
camera depth pose motion tracking scene scenes resolution super low high level levels fine coarse
global local context contextual window long short term range multi single stage end simple novel
effective effectively significantly significant substantially state-of-the-art competitive
however therefore moreover furthermore specifically particular general generally first second
finally recent recently widely often may must should could would will however across within
without under different various several many most less better best higher lower larger smaller
good strong weak limited key main important critical crucial challenging difficult hard easy
real world synthetic open source publicly available released code github project paper
`;

const PIECES = ['##s', '##es', '##ed', '##ing', '##ly', '##er', '##ers', '##tion', '##al', '##ize', '##ation', '##ity'];
const CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const PUNCT = `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;

/** The tiny model's vocabulary, id = position. */
export function tinyVocabulary(): string[] {
  const vocab: string[] = [...SPECIAL];
  const seen = new Set<string>(vocab);
  const add = (t: string) => {
    if (!seen.has(t)) {
      seen.add(t);
      vocab.push(t);
    }
  };
  for (const w of WORDS.split(/\s+/)) if (w && !w.includes('-')) add(w);
  for (const p of PIECES) add(p);
  for (const c of CHARS) add(c);
  for (const c of CHARS) add('##' + c);
  for (const c of PUNCT) add(c);
  return vocab;
}


function gaussianTable(rows: number, cols: number, scale: number, next: () => number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) {
    // Box-Muller; 1 - u keeps the log argument in (0, 1].
    const u = 1 - next();
    const v = next();
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * scale;
  }
  return out;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function floatTensor(name: string, dims: number[], data: Float32Array): pb.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function int64Tensor(name: string, values: number[]): pb.ITensorProto {
  return { name, dims: [values.length], dataType: INT64, int64Data: values };
}

/** A named input or output; string dims are free (batch, sequence), numbers are fixed. */
function valueInfo(name: string, elemType: number, dims: (string | number)[]): pb.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function node(opType: string, input: string[], output: string[], attribute: pb.IAttributeProto[] = []): pb.INodeProto {
  return { opType, input, output, name: `${opType}_${output[0]}`, attribute };
}

/**
 * The graph: token + token-type embeddings (x), a masked mean of x over the sequence (context),
 * and last_hidden_state = x + tanh(x·Wt + context·Wc). Padding is excluded from the context, so a
 * text's vector does not depend on what it is batched with.
 */
export function tinyModelOnnx(vocabSize: number, hidden: number, seed = SEED): Uint8Array {
  const next = rng(seed);
  const wordEmb = gaussianTable(vocabSize, hidden, 1, next);
  const typeEmb = gaussianTable(2, hidden, 0.1, next);
  const wTok = gaussianTable(hidden, hidden, 1 / Math.sqrt(hidden), next);
  const wCtx = gaussianTable(hidden, hidden, 1 / Math.sqrt(hidden), next);
  const graph: pb.IGraphProto = {
    name: 'tiny_bert',
    initializer: [
      floatTensor('word_embeddings', [vocabSize, hidden], wordEmb),
      floatTensor('token_type_embeddings', [2, hidden], typeEmb),
      floatTensor('w_token', [hidden, hidden], wTok),
      floatTensor('w_context', [hidden, hidden], wCtx),
      floatTensor('one', [], new Float32Array([1])),
      int64Tensor('axis_seq', [1]),
      int64Tensor('axis_last', [2]),
    ],
    node: [
      node('Gather', ['word_embeddings', 'input_ids'], ['word']),
      node('Gather', ['token_type_embeddings', 'token_type_ids'], ['type']),
      node('Add', ['word', 'type'], ['x']),
      node('Cast', ['attention_mask'], ['mask_f'], [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }]),
      node('Unsqueeze', ['mask_f', 'axis_last'], ['mask3']),
      node('Mul', ['x', 'mask3'], ['x_masked']),
      node('ReduceSum', ['x_masked', 'axis_seq'], ['x_sum'], [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]),
      node('ReduceSum', ['mask3', 'axis_seq'], ['count'], [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]),
      node('Max', ['count', 'one'], ['count1']),
      node('Div', ['x_sum', 'count1'], ['context']),
      node('MatMul', ['x', 'w_token'], ['tok_proj']),
      node('MatMul', ['context', 'w_context'], ['ctx_proj']),
      node('Add', ['tok_proj', 'ctx_proj'], ['pre']),
      node('Tanh', ['pre'], ['mixed']),
      node('Add', ['x', 'mixed'], ['last_hidden_state']),
    ],
    input: [
      valueInfo('input_ids', INT64, ['batch_size', 'sequence_length']),
      valueInfo('attention_mask', INT64, ['batch_size', 'sequence_length']),
      valueInfo('token_type_ids', INT64, ['batch_size', 'sequence_length']),
    ],
    output: [valueInfo('last_hidden_state', FLOAT, ['batch_size', 'sequence_length', hidden])],
  };
  const model: pb.IModelProto = {
    irVersion: 7,
    producerName: 'paperfeed make-tiny-model',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

function tokenizerJson(vocab: string[]): object {
  const id = (t: string) => vocab.indexOf(t);
  const special = (t: string) => ({ id: t, ids: [id(t)], tokens: [t] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((t) => ({
      id: id(t),
      content: t,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
}

export interface TinyModelInfo {
  /** The model's own directory: <dir>/<model id>. */
  path: string;
  modelId: string;
  hiddenSize: number;
  vocabSize: number;
}

/** Writes the tiny model to `<dir>/<modelId>/`; returns where and its shape. */
export function makeTinyModel(dir: string, modelId: string = TINY_MODEL_ID): TinyModelInfo {
  const path = resolve(dir, modelId);
  const vocab = tinyVocabulary();
  const hidden = TINY_HIDDEN_SIZE;
  mkdirSync(join(path, 'onnx'), { recursive: true });
  const config = {
    _name_or_path: modelId,
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: hidden,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: hidden * 2,
    hidden_act: 'gelu',
    max_position_embeddings: 512,
    type_vocab_size: 2,
    vocab_size: vocab.length,
    pad_token_id: 0,
    layer_norm_eps: 1e-12,
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    clean_up_tokenization_spaces: true,
  };
  writeFileSync(join(path, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writeFileSync(join(path, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab)) + '\n');
  writeFileSync(join(path, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2) + '\n');
  writeFileSync(join(path, 'onnx', 'model.onnx'), tinyModelOnnx(vocab.length, hidden));
  return { path, modelId, hiddenSize: hidden, vocabSize: vocab.length };
}

const invokedAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedAsScript) {
  const [dir, modelId] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: npm run tiny-model -- <dir> [model id]   (writes <dir>/<model id>/, default id ' + TINY_MODEL_ID + ')');
    process.exit(2);
  }
  const info = makeTinyModel(dir, modelId ?? TINY_MODEL_ID);
  console.log(`wrote ${info.modelId} (${info.hiddenSize}-d, ${info.vocabSize} tokens) to ${info.path}`);
}

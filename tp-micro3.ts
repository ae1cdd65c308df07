import { readFileSync } from 'node:fs';
import { fitBuiltin, embedBuiltin, sparseBuiltin } from './embeddings/builtin.ts';
import { termFrequencies, contentTerms } from './embeddings/text-features.ts';
const lines = readFileSync('/tmp/tp-corpus/all.json','utf8').split('\n',5001).filter(Boolean).map(l=>JSON.parse(l));
const texts = lines.map((p:any)=>p.title+'\n\n'+p.abstract);
const st = fitBuiltin(texts.slice(0,2000));
for (let rep=0; rep<3; rep++) {
let t=performance.now(); for (const x of texts) contentTerms(x, true); const a=performance.now()-t;
t=performance.now(); for (const x of texts) termFrequencies(x, st.params); const b=performance.now()-t;
t=performance.now(); for (const x of texts) sparseBuiltin(st,x); const c=performance.now()-t;
t=performance.now(); for (const x of texts) embedBuiltin(st,x); const d=performance.now()-t;
console.log(`per text µs: contentTerms ${(a/5).toFixed(0)} tf ${(b/5).toFixed(0)} weights ${(c/5).toFixed(0)} embed ${(d/5).toFixed(0)}`);
}

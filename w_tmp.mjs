import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend(process.argv[2]); await tf.ready();
const N=8000, D=256, K=7, B=+process.argv[3];
const Xd = new Float32Array(N*D).map(()=>Math.random()); const lab = new Int32Array(N).map(()=>Math.floor(Math.random()*K));
const Yd = new Float32Array(N*K); lab.forEach((l,i)=>Yd[i*K+l]=1);
const k = tf.variable(tf.randomNormal([D,K],0,0.05)); const b = tf.variable(tf.zeros([K]));
const opt = tf.train.adam(1e-3);
const xbuf = new Float32Array(B*D), ybuf=new Float32Array(B*K);
function step(s){ const n=Math.min(B,N-s); const xb=tf.tensor2d(Xd.subarray(s*D,(s+n)*D),[n,D]); const yb=tf.tensor2d(Yd.subarray(s*K,(s+n)*K),[n,K]); 
  const c = opt.minimize(()=>{ const z=tf.add(tf.matMul(xb,k),b); const lp=tf.logSoftmax(z); return tf.mean(tf.neg(tf.sum(tf.mul(yb,lp),1))); }, true, [k,b]);
  tf.dispose([xb,yb,c]); }
for (let s=0;s<N;s+=B) step(s);
let t=performance.now(); for (let s=0;s<N;s+=B) step(s); const ep=performance.now()-t; console.log(process.argv[2], B, 'epoch', ep.toFixed(1), 'per step', (ep/Math.ceil(N/B)).toFixed(2));
const a=tf.ones([4]); t=performance.now(); for(let i=0;i<10000;i++){ tf.add(a,a).dispose(); } console.log('add op us', (performance.now()-t)/10);

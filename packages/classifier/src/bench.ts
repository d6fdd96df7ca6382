import { loadClassifier, type Classifier } from './classifier.ts';

/** Messages of about 200 characters in the mix the router sees: email English, social English, Chinese. */
export const BENCH_MESSAGES: readonly string[] = [
  'Hello, I transferred 250 euros to my landlord on Monday and the app says the transfer is complete, but he tells me nothing has arrived in his account yet. Can you please check what happened to this payment? Thanks',
  '@wallet my card got declined at the supermarket twice today even though I have plenty of money on it, this is so embarrassing!!! what is going on with your service, fix it asap please, I need to buy food',
  '你好，我昨天晚上在淘宝买东西付款的时候被扣了两次钱，订单只有一个，但是银行卡那边显示两笔扣款，金额都是299元。麻烦帮我查一下是怎么回事，另外多扣的那一笔什么时候能退回来？我已经在app里提交过一次反馈了，但是三天都没有人回复，打客服电话也一直占线。这个月的房租还等着这笔钱，希望你们尽快处理，不然我只能去投诉了，谢谢，急用钱',
  '您好，我的帳戶昨天半夜收到好幾條消費通知，可是那個時間我在睡覺，也沒有在網路上買任何東西。我懷疑帳號被盜了，請馬上幫我凍結帳戶和卡片，另外密碼要怎麼重新設定？這些交易可以追回來嗎？我剛剛打了客服專線但是一直在排隊，線上客服也只有機器人回覆。卡片裡面還有不少錢，真的很擔心會被繼續盜刷，拜託盡快回覆我，謝謝。',
  'Hi there, I am travelling in Japan next month and would like to know what exchange rate you use when I pay in yen with my card, and whether there is any fee for withdrawing cash from ATMs abroad. Kind regards',
  'ugh the kyc verification keeps rejecting my selfie, tried like 6 times in good light, passport is valid. how long does this take?? i just want to open the account and get my card, support chat not answering',
  '客服你好，我上周申请的退款到现在还没到账，商家那边说已经原路退回了，可是我的余额一直没有变化。退款一般要多久？能不能帮我查一下进度，订单号是20261118xxxx，谢谢了，已经等了十天了。之前别的平台退款两三天就到了，你们这边怎么这么慢？如果是被卡在哪个环节了也麻烦告诉我一声，我好去跟商家沟通，不然钱就一直悬在那里了',
  'Dear team, I have called your support line three times this week and waited over an hour each time without speaking to anyone. Is there an email address or another way to reach a real person? Best wishes',
];

/**
 * Classifications per second of CPU time on one core (this thread) for BENCH_MESSAGES, after a
 * short warm-up so the JIT has compiled the hot path. CPU time rather than wall time, so a busy
 * machine (other processes sharing the core) does not make the classifier look slower than it is;
 * `wallPerSec` is the same run over wall time, and `baselineNsPerElement` the cost of a plain
 * typed-array loop measured just before, so runs on differently loaded machines can be compared.
 */
export function benchClassifier(options: { seconds: number; classifier?: Classifier }): {
  perSec: number;
  wallPerSec: number;
  baselineNsPerElement: number;
} {
  const classifier = options.classifier ?? loadClassifier();
  const baselineNsPerElement = measureBaselineLoop();
  const warmUpUntil = performance.now() + 200;
  for (let i = 0; performance.now() < warmUpUntil; i++) classifier.classify(BENCH_MESSAGES[i % BENCH_MESSAGES.length]!);
  const startedAt = performance.now();
  const stopAt = startedAt + options.seconds * 1000;
  const cpuBefore = process.cpuUsage();
  let classified = 0;
  let now = startedAt;
  while (now < stopAt) {
    // Check the clock once per round of messages, not once per message.
    for (const message of BENCH_MESSAGES) classifier.classify(message);
    classified += BENCH_MESSAGES.length;
    now = performance.now();
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    perSec: Math.round(classified / cpuSeconds),
    wallPerSec: Math.round(classified / ((now - startedAt) / 1000)),
    baselineNsPerElement: Number(baselineNsPerElement.toFixed(3)),
  };
}

/** CPU nanoseconds per element of summing a Float64Array: how fast this core is right now. */
function measureBaselineLoop(): number {
  const values = new Float64Array(4096).fill(1);
  sumRounds(values, 200); // warm-up: the JIT compiles the loop before it is timed
  const rounds = 4000;
  const cpuBefore = process.cpuUsage();
  const total = sumRounds(values, rounds);
  const cpu = process.cpuUsage(cpuBefore);
  if (total !== rounds * values.length) throw new Error('baseline loop miscounted');
  return ((cpu.user + cpu.system) * 1000) / (rounds * values.length);
}

function sumRounds(values: Float64Array, rounds: number): number {
  let total = 0;
  for (let round = 0; round < rounds; round++) for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

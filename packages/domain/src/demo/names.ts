import type { Rng } from './prng.ts';

const digits = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (1–9999). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 9999) throw new RangeError(`chineseNumeral(${n})`);
  const units = ['', '十', '百', '千'];
  const parts = String(n).split('').map(Number);
  let out = '';
  let zero = false;
  parts.forEach((d, i) => {
    const unit = units[parts.length - 1 - i]!;
    if (d === 0) {
      zero = out !== '';
      return;
    }
    if (zero) out += '零';
    zero = false;
    out += d === 1 && unit === '十' && out === '' ? '十' : `${digits[d]}${unit}`;
  });
  return out;
}

/** 南京东路街道 → 南京东路, 七宝镇 → 七宝, 浦锦街道 → 浦锦: the stem that community names carry. */
export function streetStem(streetName: string): string {
  return streetName.replace(/(街道|新镇|镇|乡|农场|林场|工业区|园区|开发区)$/, '') || streetName;
}

/**
 * A plausible name for a generated community: "南京东路第一居委会". Towns and townships get
 * 村委会 for the later ones, as their outer communities tend to be villages.
 */
export function syntheticCommunityName(
  streetName: string,
  streetKind: string,
  index: number,
  total: number,
): { name: string; kind: '居委会' | '村委会' } {
  const rural = (streetKind === '镇' || streetKind === '乡') && index > Math.ceil(total / 3);
  const kind = rural ? '村委会' : '居委会';
  return { name: `${streetStem(streetName)}第${chineseNumeral(index)}${kind}`, kind };
}

const surnames =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花仇艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僧桑荆谌银扬明沙薄伏岑习胥保和蔺'.split(
    '',
  );
const given =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯俊峰晨瑞欣怡婷雪琳晓东海波佳慧颖倩宁健亮飞鑫丹彤悦嘉'.split(
    '',
  );

/** A plausible Chinese personal name for demo staff. */
export function personName(rng: Rng): string {
  const g = rng.next() < 0.6 ? rng.pick(given) + rng.pick(given) : rng.pick(given);
  return rng.pick(surnames) + g;
}

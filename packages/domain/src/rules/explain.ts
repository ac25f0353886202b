/**
 * A rule's reason in Chinese. The engine writes one plain sentence per alarm ("smoke is true",
 * "depth 18 > 15 for 300 s", "no data for level for 900 s", joined by "and" / "or"); the people on
 * duty read it in 中文 with the metrics' Chinese names. The grammar is the engine's own (value.ts,
 * time.ts, evaluate.ts), so every sentence it writes has a reading here; anything else passes
 * through unchanged.
 */

const directions: Record<string, string> = { rise: '上升', fall: '下降', any: '变化' };
const ops: Record<string, string> = { '>': '高于', '>=': '不低于', '<': '低于', '<=': '不高于' };

function valueZh(v: string): string {
  if (v === 'true') return '是';
  if (v === 'false') return '否';
  return v;
}

function clauseZh(clause: string, name: (metric: string) => string): string {
  let m = /^(.*) for (\d+) s$/.exec(clause);
  if (m?.[1] !== undefined) return `${clauseZh(m[1], name)}，已持续 ${m[2]} 秒`;
  if (clause === 'condition held') return '条件成立';
  m = /^no data(?: for (\S+))?$/.exec(clause);
  if (m) return m[1] ? `${name(m[1])}无数据` : '无数据';
  m = /^data again(?: for (\S+))?$/.exec(clause);
  if (m) return m[1] ? `${name(m[1])}数据恢复` : '数据恢复';
  m = /^(\S+) changing (\S+)\/min \(limit (\S+) (\S+)\/min\)$/.exec(clause);
  if (m) return `${name(m[1]!)}每分钟变化 ${m[2]}（${directions[m[3]!] ?? ''}限值 ${m[4]}/分钟）`;
  m = /^(\S+) is no longer (\S+)$/.exec(clause);
  if (m) return `${name(m[1]!)}不再为${valueZh(m[2]!)}`;
  m = /^(\S+) is (\S+)$/.exec(clause);
  if (m) return `${name(m[1]!)}为${valueZh(m[2]!)}`;
  m = /^(\S+) (\S+) back (below|above) (\S+)$/.exec(clause);
  if (m)
    return `${name(m[1]!)} ${m[2]}，已回${m[3] === 'below' ? '落至' : '升至'} ${m[4]} ${m[3] === 'below' ? '以下' : '以上'}`;
  m = /^(\S+) (\S+) (>=|<=|>|<) (\S+)$/.exec(clause);
  if (m) return `${name(m[1]!)} ${valueZh(m[2]!)}，${ops[m[3]!]}限值 ${m[4]}`;
  return clause;
}

/**
 * `reason` in Chinese; `metricName` gives a metric key's Chinese name (烟感 for smoke), the key
 * itself when it has none.
 */
export function reasonInChinese(reason: string, metricName: (metric: string) => string = (m) => m): string {
  // AND binds before OR in what the engine writes (an OR of ANDs reads "a and b or c").
  return reason
    .split(' or ')
    .map((part) =>
      part
        .split(' and ')
        .map((c) => clauseZh(c.trim(), metricName))
        .join('，且'),
    )
    .join('；或');
}

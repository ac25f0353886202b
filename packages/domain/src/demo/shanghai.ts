/**
 * Public facts about Shanghai used by the demo city: the 16 districts (GB/T 2260 codes, names,
 * approximate centroids) and the 234 township-level units with their 9-digit statistical codes
 * and how many 居委会/村委会 each has (NBS 统计用区划代码 2023, via modood/Administrative-divisions-of-China,
 * WTFPL). Embedded so the demo city has real codes and names even without the public data folder;
 * community codes and names are not embedded (6,509 rows) and come from that folder when present.
 */

export interface DistrictFact {
  code: string;
  name: string;
  /** Approximate centroid [lng, lat] in WGS-84. */
  centroid: readonly [number, number];
  /** The central-city districts whose 街道 are area class A. */
  central: boolean;
  /**
   * Approximate positions of the district's main towns and quarters. Without boundary data the
   * demo draws districts as the Voronoi cells of all these points, which gives shapes of
   * plausible size (one point per district would hand half of Pudong to Huangpu).
   */
  anchors: ReadonlyArray<readonly [number, number]>;
}

export const shanghaiCityCode = '3101';
export const shanghaiCityName = '上海市';

export const shanghaiDistricts: readonly DistrictFact[] = [
  {
    code: '310101',
    name: '黄浦区',
    centroid: [121.479, 31.218],
    central: true,
    anchors: [[121.478, 31.222]],
  },
  {
    code: '310104',
    name: '徐汇区',
    centroid: [121.435, 31.165],
    central: true,
    anchors: [
      [121.437, 31.19],
      [121.445, 31.15],
      [121.41, 31.17],
    ],
  },
  {
    code: '310105',
    name: '长宁区',
    centroid: [121.376, 31.209],
    central: true,
    anchors: [
      [121.42, 31.215],
      [121.375, 31.205],
      [121.336, 31.197],
    ],
  },
  {
    code: '310106',
    name: '静安区',
    centroid: [121.446, 31.273],
    central: true,
    anchors: [
      [121.45, 31.228],
      [121.455, 31.262],
      [121.45, 31.3],
    ],
  },
  {
    code: '310107',
    name: '普陀区',
    centroid: [121.387, 31.26],
    central: true,
    anchors: [
      [121.42, 31.245],
      [121.38, 31.25],
      [121.36, 31.282],
    ],
  },
  {
    code: '310109',
    name: '虹口区',
    centroid: [121.481, 31.279],
    central: true,
    anchors: [
      [121.49, 31.265],
      [121.485, 31.29],
    ],
  },
  {
    code: '310110',
    name: '杨浦区',
    centroid: [121.525, 31.3],
    central: true,
    anchors: [
      [121.52, 31.265],
      [121.515, 31.3],
      [121.54, 31.325],
    ],
  },
  {
    code: '310112',
    name: '闵行区',
    centroid: [121.415, 31.089],
    central: false,
    anchors: [
      [121.38, 31.11],
      [121.32, 31.16],
      [121.45, 31.04],
      [121.5, 31.07],
      [121.4, 31.0],
    ],
  },
  {
    code: '310113',
    name: '宝山区',
    centroid: [121.4, 31.394],
    central: false,
    anchors: [
      [121.49, 31.4],
      [121.39, 31.33],
      [121.35, 31.41],
      [121.42, 31.48],
    ],
  },
  {
    code: '310114',
    name: '嘉定区',
    centroid: [121.24, 31.36],
    central: false,
    anchors: [
      [121.25, 31.38],
      [121.17, 31.3],
      [121.32, 31.29],
      [121.2, 31.42],
    ],
  },
  {
    code: '310115',
    name: '浦东新区',
    centroid: [121.746, 31.09],
    central: false,
    anchors: [
      [121.515, 31.235],
      [121.55, 31.27],
      [121.6, 31.35],
      [121.6, 31.2],
      [121.52, 31.17],
      [121.7, 31.19],
      [121.6, 31.1],
      [121.78, 31.05],
      [121.7, 30.98],
      [121.91, 30.9],
      [121.84, 31.15],
    ],
  },
  {
    code: '310116',
    name: '金山区',
    centroid: [121.251, 30.821],
    central: false,
    anchors: [
      [121.33, 30.73],
      [121.15, 30.87],
      [121.03, 30.88],
      [121.3, 30.82],
    ],
  },
  {
    code: '310117',
    name: '松江区',
    centroid: [121.216, 31.017],
    central: false,
    anchors: [
      [121.23, 31.03],
      [121.3, 31.1],
      [121.18, 31.1],
      [121.1, 30.95],
    ],
  },
  {
    code: '310118',
    name: '青浦区',
    centroid: [121.081, 31.127],
    central: false,
    anchors: [
      [121.12, 31.15],
      [121.05, 31.11],
      [120.92, 31.05],
      [121.25, 31.18],
      [121.15, 31.25],
    ],
  },
  {
    code: '310120',
    name: '奉贤区',
    centroid: [121.558, 30.9],
    central: false,
    anchors: [
      [121.47, 30.92],
      [121.6, 30.92],
      [121.38, 30.87],
      [121.7, 30.88],
    ],
  },
  {
    code: '310151',
    name: '崇明区',
    centroid: [121.608, 31.592],
    central: false,
    anchors: [
      [121.4, 31.62],
      [121.25, 31.75],
      [121.55, 31.62],
      [121.75, 31.52],
      [121.7, 31.38],
    ],
  },
];

export interface StreetFact {
  code: string;
  name: string;
  districtCode: string;
  /** 街道 / 镇 / 乡 / 类似乡级单位, from the code (GB/T 10114). */
  kind: '街道' | '镇' | '乡' | '类似乡级单位';
  /** Number of 居委会 and 村委会 under it (NBS 2023). */
  communities: number;
}

// district code → "seq name communities" entries: 3-digit street part, name, community count.
const streetTable: Record<string, string> = {
  '310101':
    '002南京东路街道19 013外滩街道17 015半淞园路街道22 017小东门街道16 018豫园街道15 019老西门街道16 020五里桥街道19 021打浦桥街道17 022淮海中路街道13 023瑞金二路街道16',
  '310104':
    '003天平路街道21 004湖南路街道16 007斜土路街道19 008枫林路街道32 010长桥街道33 011田林街道26 012虹梅路街道13 013康健新村街道25 014徐家汇街道29 015凌云路街道28 016龙华街道23 017漕河泾街道30 103华泾镇17 501漕河泾新兴技术开发区1',
  '310105':
    '001华阳路街道21 002江苏路街道13 004新华路街道17 005周家桥街道21 006天山路街道17 008仙霞新村街道24 009虹桥街道20 010程家桥街道8 011北新泾街道15 102新泾镇33',
  '310106':
    '006江宁路街道16 011石门二路街道11 012南京西路街道12 013静安寺街道11 014曹家渡街道14 015天目西路街道12 016北站街道14 017宝山路街道18 018共和新路街道26 019大宁路街道25 020彭浦新村街道33 021临汾路街道20 022芷江西路街道18 101彭浦镇37',
  '310107':
    '005曹杨新村街道20 014长风新村街道27 015长寿路街道35 016甘泉路街道20 017石泉路街道28 020宜川路街道25 021万里街道15 022真如镇街道39 102长征镇28 103桃浦镇48',
  '310109':
    '009欧阳路街道18 010曲阳路街道24 011广中路街道25 014嘉兴路街道29 016凉城新村街道25 017四川北路街道21 018北外滩街道21 019江湾镇街道35',
  '310110':
    '001定海路街道17 006平凉路街道15 008江浦路街道22 009四平路街道23 012控江路街道25 013长白新村街道16 015延吉新村街道17 016殷行街道49 018大桥街道23 019五角场街道32 020新江湾城街道19 021长海路街道43',
  '310112':
    '001江川路街道49 006古美街道42 008新虹街道19 009浦锦街道37 101莘庄镇55 102七宝镇62 103颛桥镇41 106华漕镇32 107虹桥镇39 108梅陇镇79 110吴泾镇28 112马桥镇27 114浦江镇76 501莘庄工业区10',
  '310113':
    '003友谊路街道41 007吴淞街道28 008张庙街道40 101罗店镇71 102大场镇89 103杨行镇61 104月浦镇41 106罗泾镇31 109顾村镇83 111高境镇32 112庙行镇24 113淞南镇24 501宝山工业园区2',
  '310114':
    '001新成路街道12 002真新街道20 004嘉定镇街道17 102南翔镇39 103安亭镇77 106马陆镇54 109徐行镇16 111华亭镇13 114外冈镇27 118江桥镇58 401菊园新区24 501嘉定工业区42',
  '310115':
    '004潍坊新村街道29 005陆家嘴街道35 007周家渡街道35 008塘桥街道26 009上钢新村街道26 010南码头路街道27 011沪东新村街道32 012金杨新村街道48 013洋泾街道41 014浦兴路街道40 015东明路街道39 016花木街道59 103川沙新镇94 104高桥镇48 105北蔡镇74 110合庆镇37 114唐镇43 117曹路镇62 120金桥镇18 121高行镇37 123高东镇28 125张江镇50 130三林镇83 131惠南镇80 132周浦镇57 133新场镇25 134大团镇21 136康桥镇62 137航头镇47 139祝桥镇84 140泥城镇30 141宣桥镇24 142书院镇22 143万祥镇13 144老港镇11 145南汇新城镇33 401芦潮港农场1 402东海农场1 403朝阳农场1 501中国（上海）自由贸易试验区（保税片区）1 502金桥经济技术开发区1 503张江高科技园区1',
  '310116':
    '001石化街道26 101朱泾镇30 102枫泾镇34 103张堰镇13 104亭林镇24 105吕巷镇12 107廊下镇14 109金山卫镇23 112漕泾镇14 113山阳镇37 503上海湾区高新技术产业开发区17',
  '310117':
    '001岳阳街道26 002永丰街道25 003方松街道32 004中山街道22 005广富林街道16 006九里亭街道15 102泗泾镇42 103佘山镇27 104车墩镇29 105新桥镇24 106洞泾镇16 107九亭镇27 109泖港镇19 116石湖荡镇13 117新浜镇14 120叶榭镇17 121小昆山镇19 501松江工业区1 504佘山度假区1 507上海松江出口加工区1',
  '310118':
    '001夏阳街道32 002盈浦街道35 003香花桥街道35 102朱家角镇46 103练塘镇30 104金泽镇35 105赵巷镇30 106徐泾镇37 107华新镇34 109重固镇15 110白鹤镇26',
  '310120':
    '001西渡街道20 002奉浦街道22 003金海街道22 101南桥镇54 102奉城镇56 104庄行镇23 106金汇镇41 109四团镇36 111青村镇36 118柘林镇26 123海湾镇10 503海湾旅游区6',
  '310151':
    '101城桥镇45 102堡镇27 103新河镇23 104庙镇31 105竖新镇23 106向化镇12 107三星镇22 108港沿镇22 109中兴镇13 110陈家镇31 111绿华镇8 112港西镇12 113建设镇13 114新海镇5 115东平镇6 116长兴镇34 201新村乡6 202横沙乡25 401前卫农场1 402东平林场1 501上实现代农业园区1',
};

function kindOf(code: string): StreetFact['kind'] {
  const n = Number(code.slice(6));
  if (n < 100) return '街道';
  if (n < 200) return '镇';
  if (n < 400) return '乡';
  return '类似乡级单位';
}

export const shanghaiStreets: readonly StreetFact[] = Object.entries(streetTable).flatMap(
  ([districtCode, entries]) =>
    entries.split(' ').map((entry) => {
      const m = /^(\d{3})(\D+)(\d+)$/.exec(entry);
      if (!m) throw new Error(`bad street entry ${entry}`);
      const code = `${districtCode}${m[1]}`;
      return { code, name: m[2]!, districtCode, kind: kindOf(code), communities: Number(m[3]) };
    }),
);

export function districtFact(code: string): DistrictFact | undefined {
  return shanghaiDistricts.find((d) => d.code === code);
}

export function streetsOf(districtCode: string): StreetFact[] {
  return shanghaiStreets.filter((s) => s.districtCode === districtCode);
}

-- The built-in rules were named "中文 · English" (烟感报警 · smoke detected), and that title reached
-- Chinese screens as it was. A rule's name is what a person reads in the city's language: the
-- built-in rules keep their Chinese half (alarms show the rule's name). Rules a city named or
-- renamed itself are left alone.
UPDATE rules SET name = split_part(name, ' · ', 1)
 WHERE name IN (VALUES
  ('积水超过15厘米持续5分钟 · standing water above 15 cm for 5 min'),
  ('积水超过27厘米 · standing water above 27 cm (road closure)'),
  ('井盖开启或倾斜 · manhole cover open or tilted'),
  ('PM2.5重度污染持续1小时 · PM2.5 above 150 µg/m³ for 1 h'),
  ('幕墙玻璃破裂或剧烈振动 · curtain-wall glass broken or shaking'),
  ('路灯开灯无电流 · street light on without current'),
  ('烟感报警 · smoke detected'));

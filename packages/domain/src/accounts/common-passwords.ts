/**
 * Passwords tried first by anyone guessing: the top of the leaked-password lists, including the
 * ones Chinese users pick (from the CSDN / 12306 / Tianya leak studies: 123456, a123456,
 * woaini1314, 5201314, 1qaz2wsx, qq123456 …). Only those of 8 characters or more matter, since
 * shorter ones fail the length rule first. Compared case-insensitively.
 */
export const commonPasswords: readonly string[] = `
12345678 123456789 1234567890 0123456789 87654321 987654321 11111111 00000000 88888888 66666666
12341234 11223344 12121212 123123123 147258369 123456123 12344321 1234554321 20080808 19491001
11235813 5201314520 52013145 13145200 1314520520 147852369 159357258 123654789 741852963
789456123 321321321 112233445566 woaini1314 woaini520 woaini123 woaini1314520 iloveyou
iloveyou1 iloveyou1314 a5201314 aa5201314 qq123456 qq5201314 qq111111 a1234567 a12345678
a123456789 aa123456 aa12345678 abc12345 abc123456 abcd1234 abcd12345 a1b2c3d4 wang1234 wangyut2
zhang123 zhangwei woshishui nihao123 nihaonihao shanghai shanghai123 beijing123 zhongguo
zhongguo123 china123 xiaoming admin123 admin1234 admin888 admin@123 root1234 test1234 sa123456
pass1234 dearbook asdf1234 asd123456 zxc123456 qwertyui qwerty123 qwertyuiop qwe123456
qweasdzxc 1qaz2wsx 1q2w3e4r 1q2w3e4r5t q1w2e3r4 zaq12wsx !qaz2wsx asdfghjk asdfghjkl zxcvbnm1
zxcvbnm123 qazwsxedc 1qazxsw2 poiuytre password password1 password123 passw0rd p@ssw0rd
p@ssword baseball football sunshine princess superman starwars whatever trustno1 welcome1
letmein1 monkey123 dragon123 computer internet michelle jennifer changeme secret123 default1
123456 qwerty 1234567 administrator onegrid1 onegrid123 onegrid-demo
`
  .split(/\s+/)
  .filter(Boolean);

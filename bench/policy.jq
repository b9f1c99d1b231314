# The benchmark's policy in jq: "<recovery> <economic>" per sheet.
.facts as $f
| ({"none":0,"minor_injury":1,"serious_injury":2,"death":3}[$f.harm_life // "none"]) as $harm
| ($f.remote_control // false) as $remote
| ($f.actuation // "none") as $act
| (if $harm >= 2 or (($f.usage == "hospital" or $f.usage == "vehicle") and $remote)
      or ($act == "hazardous" and $remote) then "fatal"
   elif $harm == 1 or $f.data_sensitivity == "sensitive" or $act == "access" or $act == "hazardous"
   then "serious" else "limited" end) as $rec
| ($f.loss_jpy // 0) as $loss | ($f.users_affected // 0) as $users
| (if $loss >= 10000000000 or $users >= 1000000 then "catastrophic"
   elif $loss >= 100000000 or $users >= 10000 then "significant" else "limited" end) as $eco
| "\($rec) \($eco)"

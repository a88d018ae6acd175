// Reads an .ics from stdin and prints JSON {uid: [{action, trigger, description}]}:
// the VALARMs of each VEVENT as Mozilla's ical.js (Thunderbird's engine) reads them.
import ICAL from "ical.js";

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;

const calendar = new ICAL.Component(ICAL.parse(text));
const alarms = {};
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  alarms[vevent.getFirstPropertyValue("uid")] = vevent.getAllSubcomponents("valarm").map((a) => ({
    action: a.getFirstPropertyValue("action"),
    trigger: a.getFirstPropertyValue("trigger").toSeconds(),
    description: a.getFirstPropertyValue("description"),
  }));
}
process.stdout.write(JSON.stringify(alarms));

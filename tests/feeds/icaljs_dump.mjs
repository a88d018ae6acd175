// Reads an .ics from stdin and prints JSON: one object per VEVENT with its uid,
// start/end (UTC ISO instants; all-day as YYYY-MM-DD), status, summary and
// description, as Mozilla's ical.js (the engine of Thunderbird) reads them. Times
// with a TZID are resolved only through the VTIMEZONEs in the file: an unknown TZID
// is an error, and so is a floating time.
import ICAL from "ical.js";

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;

const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

function instant(property) {
  if (!property) return null;
  const time = property.getFirstValue();
  if (time.isDate) return time.toString();
  const tzid = property.getParameter("tzid");
  if (tzid && !ICAL.TimezoneService.has(tzid)) {
    throw new Error(`TZID ${tzid} has no VTIMEZONE in the file`);
  }
  if (!tzid && time.zone !== ICAL.Timezone.utcTimezone) {
    throw new Error(`floating time ${time.toString()}`);
  }
  return time.toJSDate().toISOString();
}

const events = calendar.getAllSubcomponents("vevent").map((vevent) => ({
  uid: vevent.getFirstPropertyValue("uid"),
  start: instant(vevent.getFirstProperty("dtstart")),
  end: instant(vevent.getFirstProperty("dtend")),
  status: vevent.getFirstPropertyValue("status"),
  summary: vevent.getFirstPropertyValue("summary"),
  description: vevent.getFirstPropertyValue("description"),
  sequence: vevent.getFirstPropertyValue("sequence"),
}));
process.stdout.write(JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events }));

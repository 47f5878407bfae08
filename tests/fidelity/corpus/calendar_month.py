"""calendar, copied into the project: a month's text and its weeks."""

import user_calendar

print(user_calendar.month(2024, 2))
print(user_calendar.monthcalendar(2023, 12))
print(user_calendar.isleap(2000), user_calendar.leapdays(1900, 2024), user_calendar.weekday(2024, 7, 4))

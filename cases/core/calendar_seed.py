"""Load the official holiday schedule that the chinese-calendar package knows into the Holiday table."""

from datetime import date

from chinese_calendar import constants

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _name_zh(english: str) -> str:
    return HOLIDAY_NAMES_ZH.get(english, english)


def official_schedule() -> list[tuple[date, bool, str]]:
    """(date, is_working_day, name) for every exception the package knows, in date order."""
    rows = [(day, False, _name_zh(name)) for day, name in constants.holidays.items()]
    rows += [(day, True, f"{_name_zh(name)}调休上班") for day, name in constants.workdays.items()]
    return sorted(rows)


def known_years() -> range:
    days = list(constants.holidays)
    return range(min(days).year, max(days).year + 1)


def load_official_schedule(holiday_model, years=None) -> int:
    """Insert the days the table does not have yet (an admin's edits are kept). Returns rows added."""
    wanted = [row for row in official_schedule() if years is None or row[0].year in years]
    existing = set(holiday_model.objects.filter(date__in=[row[0] for row in wanted]).values_list("date", flat=True))
    new_rows = [
        holiday_model(date=day, is_working_day=working, name=name)
        for day, working, name in wanted
        if day not in existing
    ]
    holiday_model.objects.bulk_create(new_rows, batch_size=500)
    return len(new_rows)
